//! Command-line edge: argument parsing, reading inputs, rendering, exit codes.
//!
//! Errors are typed inside the library; here they become one line on stderr and exit code 2. A
//! closed stdout (`| head`) ends the program quietly.

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use kubectl_diagnose::connect::ClusterArgs;
use kubectl_diagnose::engine::Engine;
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::live::{self, ClusterOptions, PodTarget};
use kubectl_diagnose::nouns::{Target, WorkloadKind};
use kubectl_diagnose::output::{self, Format};
use kubectl_diagnose::report::Diagnosis;
use kubectl_diagnose::report::TableOptions;
use kubectl_diagnose::rules::{RuleSet, Severity};
use kubectl_diagnose::sweep::{Scope, SweepReport};
use kubectl_diagnose::{diagnose, parse};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

/// The heading of the options that shape the report (after the flattened cluster options, whose
/// `next_help_heading` would otherwise claim them).
const REPORT_OPTIONS: &str = "Report options";

/// The exit codes, shown after every command's help and as the man page's EXIT STATUS.
macro_rules! exit_codes {
    () => {
        "Exit codes:
  0  nothing at or above --fail-on was found
  1  a finding at or above --fail-on was found (default: a warning or a
     critical cause)
  2  error: unreadable, empty or binary input, a bad rule file, bad arguments,
     cluster unreachable, TLS or credential failure, an answer that is not the
     API server's (a proxy's page, a Status failure, a response cut off), pod,
     workload or namespace not found; also when part of the input could not be
     read and nothing in the rest shows a failure (the message names that part)"
    };
}

const MAIN_HELP: &str = concat!(
    "Examples:
  # Why is this pod failing? (kubectl's current context and namespace)
  kubectl diagnose pod web-7d9f8c6b5-x2x4p -n shop

  # Every unhealthy pod of a namespace, grouped by cause
  kubectl diagnose namespace shop

  # A paste: describe output, events, YAML, logs, or a cluster-info dump
  kubectl-diagnose file describe.txt logs.txt

  # What a rule detects and how to fix it
  kubectl-diagnose rules show port-already-in-use

",
    exit_codes!()
);

const FILE_HELP: &str = concat!(
    "Examples:
  # One paste, several files, or a whole dump directory or archive
  kubectl-diagnose file describe.txt
  kubectl-diagnose file describe.txt logs.txt node.yaml
  kubectl-diagnose file customer-dump/

  # From the clipboard or a pipe
  pbpaste | kubectl-diagnose file -

  # As JSON, in Chinese, or for a model's context window
  kubectl-diagnose file paste.txt -o json
  kubectl-diagnose file paste.txt --lang zh
  kubectl-diagnose file paste.txt -o agent --budget 300

",
    exit_codes!()
);

const POD_HELP: &str = concat!(
    "Examples:
  # A pod, or one of its containers
  kubectl diagnose pod web-7d9f8c6b5-x2x4p -n shop
  kubectl diagnose pod web-7d9f8c6b5-x2x4p -n shop -c web --tail 1000

  # A workload's pods and its controllers' events
  kubectl diagnose deploy/web -n shop

  # In CI: wait until it is Ready, or fail with the diagnosis
  kubectl diagnose pod api-0 --wait 5m -o json

",
    exit_codes!()
);

const NAMESPACE_HELP: &str = concat!(
    "Examples:
  # Every unhealthy pod, grouped by cause
  kubectl diagnose namespace shop
  kubectl diagnose namespace -A --fail-on critical

  # Smoke-check a deploy in CI
  kubectl apply -f app.yaml && kubectl diagnose ns prod -l app=web --wait 5m

  # Reports for CI tools
  kubectl diagnose namespace shop -o junit > diagnose.xml
  kubectl diagnose namespace shop -o sarif > diagnose.sarif
  kubectl diagnose namespace shop -o github

",
    exit_codes!()
);

const COMPLETIONS_HELP: &str = "Examples:
  # bash, for this shell
  source <(kubectl-diagnose completions bash)

  # zsh: a file in $fpath
  kubectl-diagnose completions zsh > ~/.zfunc/_kubectl-diagnose
";

const MAN_HELP: &str = "Examples:
  # Install the man page
  kubectl-diagnose man > ~/.local/share/man/man1/kubectl-diagnose.1
";

const MCP_HELP: &str = "Examples:
  # Register with Claude Code
  claude mcp add kubectl-diagnose -- kubectl-diagnose mcp

  # Serve one context and namespace only
  kubectl-diagnose mcp --context prod -n shop
";

const RULES_HELP: &str = "Examples:
  # The catalogue, one rule's documentation, and checks of your own rules
  kubectl-diagnose rules list
  kubectl-diagnose rules show image-pull-registry-timeout
  kubectl-diagnose rules lint my-rules/
  kubectl-diagnose rules test my-rules/
";

/// Tells you why a Kubernetes pod is failing and how to fix it.
///
/// Reads `kubectl describe pod` output, event tables, Pod/Event/Node YAML or JSON and container logs
/// (several may be pasted into one file, in any order), matches them against declarative rules, and
/// prints the causes ranked with the evidence line that proves each one and its documented fix.
#[derive(Parser, Debug)]
#[command(name = "kubectl-diagnose", version, after_help = MAIN_HELP, max_term_width = 80)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    #[command(flatten)]
    cluster: ClusterArgs,

    /// Output format: table for people; json/yaml (versioned, see schema/report.schema.json);
    /// junit for test reporters; sarif for code-scanning dashboards; github for workflow
    /// annotations; markdown for pasting into a ticket; agent for a model's context window
    /// (ranked causes, shortest evidence, fixes, what was left out) within --budget tokens.
    #[arg(short = 'o', long, value_enum, default_value_t = Format::Table, global = true, help_heading = REPORT_OPTIONS)]
    output: Format,

    /// Token budget of `-o agent` (estimated: 1 token per 4 ASCII characters, 1 per other
    /// character). Default: 2000.
    #[arg(long, value_name = "TOKENS", global = true, help_heading = REPORT_OPTIONS)]
    budget: Option<usize>,

    /// Print secrets found in evidence as they are. By default bearer tokens, JWTs, passwords in
    /// URLs and assignments, AWS keys and private keys are masked in every format.
    #[arg(long, global = true, help_heading = REPORT_OPTIONS)]
    no_redact: bool,

    /// Exit 1 when a finding at or above this severity is found; `never` always exits 0 on success.
    #[arg(long, value_enum, default_value_t = FailOn::Warning, global = true, help_heading = REPORT_OPTIONS)]
    fail_on: FailOn,

    /// Load extra rules from DIR (every *.yaml/*.yml in it); a rule with the id of a built-in rule
    /// replaces it. Repeatable; later directories win.
    #[arg(long = "rules", value_name = "DIR", global = true, help_heading = REPORT_OPTIONS)]
    rules: Vec<PathBuf>,

    /// When to colour the table. `auto` colours only a terminal, and never when NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true, help_heading = REPORT_OPTIONS)]
    color: ColorChoice,

    /// Width of the terminal report in columns (text is wrapped at most at 120; commands, URLs and
    /// names are never split). Default: COLUMNS, else the terminal's width, else 80 when piped.
    #[arg(long, value_name = "COLUMNS", global = true, help_heading = REPORT_OPTIONS, value_parser = clap::value_parser!(u16).range(40..=1000))]
    width: Option<u16>,

    /// Language of the terminal report: `zh` translates its headline, labels and footers and shows
    /// the vendor document's Chinese fix where a rule has one. Default: from LC_ALL / LC_MESSAGES /
    /// LANG (zh_* means zh), else en. JSON always has both fixes.
    #[arg(long, value_enum, global = true, help_heading = REPORT_OPTIONS)]
    lang: Option<Lang>,

    /// With -o sarif: locate every result in this manifest (the file the workload is deployed
    /// from), a path relative to the repository root (no absolute path, no `..`). Without it a
    /// result is located in its input file, or in the pseudo-path k8s/<namespace>/<kind>/<name>.
    #[arg(long, value_name = "PATH", value_parser = parse_sarif_artifact, global = true, help_heading = REPORT_OPTIONS)]
    sarif_artifact: Option<String>,
}

fn parse_sarif_artifact(s: &str) -> Result<String, String> {
    output::check_artifact_path(s)
}

#[derive(Copy, Clone, Debug, ValueEnum, PartialEq, Eq)]
enum Lang {
    En,
    Zh,
}

/// The language the environment asks for: the first of LC_ALL, LC_MESSAGES, LANG that is set.
fn lang_from_env() -> Lang {
    for var in ["LC_ALL", "LC_MESSAGES", "LANG"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            return if v.to_string_lossy().to_lowercase().starts_with("zh") {
                Lang::Zh
            } else {
                Lang::En
            };
        }
    }
    Lang::En
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Diagnose pasted text, dump directories and archives, or `-` for stdin.
    ///
    /// A `kubectl cluster-info dump` directory or a troubleshoot.sh support bundle (also as .tar.gz)
    /// is diagnosed pod by pod, like a namespace sweep. Recognised inside any input, in any order: `kubectl describe pod|node`, `kubectl get events`
    /// (also -o wide) and `kubectl events` tables, cloud-console event tables (Chinese headers
    /// included), Pod/Event/Node objects and Lists as YAML or JSON, and container logs (after a
    /// `$ kubectl logs POD -c NAME --previous` line they are attributed to that container). Anything
    /// else is scanned line by line as free text. What chat and trackers wrap around a paste (code
    /// fences, `>` quotes, HTML and Jira code tags, line numbers, CRLF, UTF-16) is taken off first.
    #[command(after_help = FILE_HELP)]
    File {
        /// Files, directories, .tar.gz/.tgz archives; `-` reads standard input.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
    },
    /// Diagnose a pod, or a workload's pods, in a live cluster (read-only: only GET requests).
    ///
    /// Fetches the pod, then concurrently its events (selected by the pod's uid), its node and the
    /// node's events, the previous and current logs of failing containers, and for a Pending pod with
    /// no node the nodes with their taints and conditions. What RBAC forbids or what times out is
    /// listed under "Not checked"; the diagnosis runs on the rest.
    ///
    /// A workload (deploy/NAME, rs/NAME, sts/NAME, ds/NAME, job/NAME, cronjob/NAME) is resolved to
    /// its current pods (a Deployment through its ReplicaSets, a CronJob through its Jobs), which are
    /// diagnosed as `namespace` does and grouped by cause, together with the controllers' own
    /// evidence: their events (FailedCreate: exceeded quota, PodSecurity, admission webhooks, missing
    /// service accounts; missed CronJob schedules) and conditions (ProgressDeadlineExceeded,
    /// ReplicaFailure, BackoffLimitExceeded, DeadlineExceeded). kubectl's nouns work without the
    /// word `pod`: `kubectl diagnose web-1`, `po web-1`, `pod/web-1`, `deploy/web`, `deploy web`.
    #[command(after_help = POD_HELP)]
    Pod {
        /// NAME of a pod, or KIND/NAME: pod/, deploy/, rs/, sts/, ds/, job/, cronjob/.
        #[arg(value_name = "NAME|KIND/NAME")]
        name: String,
        /// Only this container: its logs, its status and the events that name it.
        #[arg(short = 'c', long)]
        container: Option<String>,
        /// Lines of each container log to fetch (from the end).
        #[arg(long, default_value_t = live::DEFAULT_TAIL, value_name = "LINES")]
        tail: i64,
        /// Wait until the pod is Ready (exit 0), a failure that will not resolve by itself is
        /// diagnosed (exit 1), or the time runs out (exit 1, saying what it waited for): 30s, 5m.
        #[arg(long, value_name = "DURATION")]
        wait: Option<String>,
    },
    /// Diagnose every unhealthy pod in a namespace (or all with -A) in one run.
    ///
    /// Unhealthy: not Running and Ready, restarting within the last hour, or failed; a Succeeded Job
    /// pod is not a failure. Pods are grouped by their own top current cause (not by history, nor by
    /// a node condition that cannot affect them); healthy pods are counted, not listed. API cost: the pod, event, node-event and node lists, each paged by 500,
    /// and logs of failing containers only, --concurrency at a time.
    #[command(after_help = NAMESPACE_HELP, visible_alias = "ns", alias = "namespaces")]
    Namespace {
        /// Namespace to sweep (default: -n, else the context's namespace).
        #[arg(value_name = "NAMESPACE")]
        name: Option<String>,
        /// Sweep all namespaces.
        #[arg(short = 'A', long)]
        all_namespaces: bool,
        /// Only pods matching this label selector (e.g. app=web,tier!=cache).
        #[arg(short = 'l', long, value_name = "SELECTOR")]
        selector: Option<String>,
        /// Only pods matching this field selector (e.g. spec.nodeName=node-1).
        #[arg(long, value_name = "SELECTOR")]
        field_selector: Option<String>,
        /// Log requests in flight at once.
        #[arg(long, default_value_t = 8, value_name = "N")]
        concurrency: usize,
        /// Lines of each container log to fetch (from the end).
        #[arg(long, default_value_t = live::DEFAULT_TAIL, value_name = "LINES")]
        tail: i64,
        /// Wait until every pod is Ready (exit 0), a failure that will not resolve by itself is
        /// diagnosed (exit 1), or the time runs out (exit 1, saying what it waited for): 30s, 5m.
        #[arg(long, value_name = "DURATION")]
        wait: Option<String>,
    },
    /// Print shell completions: bash, zsh, fish, powershell or elvish.
    ///
    /// bash: `source <(kubectl-diagnose completions bash)` completes subcommands, flags, their
    /// values, rule ids, and pod, workload, namespace and context names from the cluster; zsh:
    /// write it to a file named `_kubectl-diagnose` in your $fpath. For `kubectl diagnose <TAB>`
    /// (kubectl 1.26+), put the `kubectl_complete-diagnose` script shipped with the release on PATH.
    #[command(after_help = COMPLETIONS_HELP)]
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff), generated from the same definitions as --help:
    /// `kubectl-diagnose man > kubectl-diagnose.1`.
    #[command(after_help = MAN_HELP)]
    Man,
    /// Serve the diagnosis to AI agents: a Model Context Protocol server on stdio (read-only).
    ///
    /// Tools: diagnose_pod, diagnose_workload, diagnose_namespace, diagnose_text, list_rules,
    /// explain_rule. The live tools use the kubeconfig, context, namespace and --request-timeout
    /// given here, and make only GET requests (the same RBAC as `pod` and `namespace`, plus `get`
    /// on the workload kinds). Results are the JSON report with quoted evidence under
    /// `untrustedEvidence`, secrets masked (unless --no-redact); with `budget`, the -o agent pack.
    /// Register it with an MCP client as the command `kubectl-diagnose mcp`. Bad input is an
    /// error, never a panic; a panic (a bug) ends the server, as release builds abort on panic.
    #[command(after_help = MCP_HELP)]
    Mcp,
    /// Work with rules: list, show, lint, test.
    #[command(after_help = RULES_HELP)]
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// List the rules: id, severity, category, kind, and where each comes from.
    List,
    /// Print a rule's documentation: what it detects, why, the fix (per platform and language),
    /// what it explains, references, its match block and its fixtures.
    Show {
        /// Rule id, e.g. port-already-in-use.
        id: String,
    },
    /// Check rule files: schema, regexes, required docs, unique ids, `explains` links, fixtures.
    /// Without DIR, checks the built-in rules. Exit 1 when an error is found.
    Lint {
        /// Directory of *.yaml rule files.
        dir: Option<PathBuf>,
    },
    /// Run each rule against its fixtures: `fires-*` must fire it at rank 1, `ok-*` must not fire
    /// it. Fixtures of DIR/<id>.yaml live in DIR/<id>/ or DIR/../testdata/rules/<id>/. Without DIR,
    /// tests the built-in rules with their embedded fixtures. Exit 1 when a fixture fails.
    Test {
        /// Directory of *.yaml rule files (tested together with the built-ins).
        dir: Option<PathBuf>,
    },
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum FailOn {
    Info,
    Warning,
    Critical,
    Never,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// True when kubectl started us as a plugin (`kubectl diagnose ...`): kubectl sets `KUBECTL_PATH`
/// for the plugins it runs; failing that, the shell's `_` names the program it ran (kubectl).
fn run_by_kubectl() -> bool {
    if std::env::var_os("KUBECTL_PATH").is_some_and(|v| !v.is_empty()) {
        return true;
    }
    std::env::var_os("_")
        .map(PathBuf::from)
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .is_some_and(|n| n == "kubectl" || n == "kubectl.exe")
}

fn main() -> ExitCode {
    let name = if run_by_kubectl() {
        "kubectl diagnose"
    } else {
        "kubectl-diagnose"
    };
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    if args.get(1).map(String::as_str) == Some("__complete") {
        // Shell and kubectl completion (Cobra's protocol): never an error, at worst nothing.
        let (cands, directive) =
            kubectl_diagnose::complete::complete(&Cli::command(), &args[2..], &completion_lookup);
        let _ = print(&kubectl_diagnose::complete::cobra_output(&cands, directive));
        return ExitCode::from(0);
    }
    let args = kubectl_diagnose::nouns::rewrite(&Cli::command(), args);
    let parsed = Cli::command()
        .bin_name(name)
        .try_get_matches_from(args)
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match parsed {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::from(0);
            }
            // Error text can carry what a server or a file said: escape it like any quoted input.
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!(
                "{name}: error: {}",
                kubectl_diagnose::report::escape_terminal(&dedup_chain(chain).join(": "))
            );
            ExitCode::from(2)
        }
    }
}

/// Drop causes whose text the previous message already contains.
fn dedup_chain(chain: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in chain {
        if !out.iter().any(|p| p.contains(&c)) {
            out.push(c);
        }
    }
    out
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn load_rules(dirs: &[PathBuf]) -> anyhow::Result<RuleSet> {
    let mut set = RuleSet::builtin().context("built-in rules are invalid")?;
    for d in dirs {
        set.extend_from_dir(d)?;
    }
    set.check_links()?;
    Ok(set)
}

/// A rendered report: one pod or many.
enum Report {
    Pod(Box<Diagnosis>),
    Sweep(Box<SweepReport>),
}

fn run(cli: &Cli) -> anyhow::Result<u8> {
    match &cli.command {
        Command::Rules { command } => return run_rules(cli, command),
        Command::Completions {
            shell: clap_complete::Shell::Bash,
        } => {
            print(&kubectl_diagnose::complete::bash_script("kubectl-diagnose"))?;
            return Ok(0);
        }
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            let mut out = Vec::new();
            clap_complete::generate(*shell, &mut cmd, "kubectl-diagnose", &mut out);
            print(&String::from_utf8_lossy(&out))?;
            return Ok(0);
        }
        Command::Man => {
            let out = kubectl_diagnose::manpage::render(Cli::command())?;
            print(&String::from_utf8_lossy(&out))?;
            return Ok(0);
        }
        Command::Mcp => return run_mcp(cli),
        _ => {}
    }
    if cli.budget.is_some() && cli.output != Format::Agent {
        anyhow::bail!("--budget applies to -o agent only");
    }
    if cli.budget == Some(0) {
        anyhow::bail!("--budget must be at least 1 token");
    }
    let rules = load_rules(&cli.rules)?;
    // The engine keeps the rules (no copy); it lives until the process exits: freeing its
    // thousands of allocations one by one would only delay the exit.
    let engine = std::mem::ManuallyDrop::new(Engine::from_set(rules)?);
    let threshold = match cli.fail_on {
        FailOn::Info => Some(Severity::Info),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Critical => Some(Severity::Critical),
        FailOn::Never => None,
    };
    let (report, forced_exit) = match &cli.command {
        Command::File { paths } => (read_files(paths, &engine)?, None),
        Command::Pod {
            name,
            container,
            tail,
            wait,
        } => {
            if *tail < 0 {
                anyhow::bail!("--tail must be 0 or more lines, got {tail}");
            }
            let name = match Target::parse(name).map_err(anyhow::Error::msg)? {
                Target::Pod(n) => n,
                Target::Workload(kind, wname) => {
                    if wait.is_some() {
                        anyhow::bail!(
                            "--wait works with a pod or a namespace, not with {}/{wname}",
                            kind.as_str()
                        );
                    }
                    if container.is_some() {
                        anyhow::bail!(
                            "-c/--container works with a pod, not with {}/{wname}",
                            kind.as_str()
                        );
                    }
                    let opts = cluster_options(cli)?;
                    let target = live::SweepTarget {
                        concurrency: 8,
                        tail: *tail,
                        ..live::SweepTarget::default()
                    };
                    let r = runtime()?.block_on(async {
                        let cluster = live::Cluster::connect(&opts).await?;
                        workload_live(&cluster, kind, &wname, &target, &engine).await
                    })?;
                    return finish(cli, Report::Sweep(Box::new(r)), None, threshold);
                }
            };
            let target = PodTarget {
                name: name.clone(),
                container: container.clone(),
                tail: *tail,
            };
            let wait = wait.as_deref().map(parse_wait).transpose()?;
            let opts = cluster_options(cli)?;
            runtime()?.block_on(async {
                let cluster = live::Cluster::connect(&opts).await?;
                match wait {
                    None => {
                        let d = diagnose_live_pod(&cluster, &target, &engine).await?;
                        Ok::<_, anyhow::Error>((Report::Pod(Box::new(d)), None))
                    }
                    Some(limit) => wait_pod(&cluster, &target, &engine, limit).await,
                }
            })?
        }
        Command::Namespace {
            name,
            all_namespaces,
            selector,
            field_selector,
            concurrency,
            tail,
            wait,
        } => {
            if *tail < 0 {
                anyhow::bail!("--tail must be 0 or more lines, got {tail}");
            }
            let mut opts = cluster_options(cli)?;
            if let Some(n) = name {
                opts.namespace = Some(n.clone());
            }
            let target = live::SweepTarget {
                all_namespaces: *all_namespaces,
                label_selector: selector.clone(),
                field_selector: field_selector.clone(),
                concurrency: (*concurrency).max(1),
                tail: *tail,
            };
            let wait = wait.as_deref().map(parse_wait).transpose()?;
            runtime()?.block_on(async {
                let cluster = live::Cluster::connect(&opts).await?;
                match wait {
                    None => {
                        let r = sweep_live(&cluster, &target, &engine).await?;
                        Ok::<_, anyhow::Error>((Report::Sweep(Box::new(r)), None))
                    }
                    Some(limit) => wait_namespace(&cluster, &target, &engine, limit).await,
                }
            })?
        }
        Command::Rules { .. } | Command::Completions { .. } | Command::Man | Command::Mcp => {
            unreachable!("handled above") // ok: returned early
        }
    };
    finish(cli, report, forced_exit, threshold)
}

/// Redact, render, print; the exit code.
fn finish(
    cli: &Cli,
    report: Report,
    forced_exit: Option<u8>,
    threshold: Option<Severity>,
) -> anyhow::Result<u8> {
    let mut report = report;
    if !cli.no_redact {
        match &mut report {
            Report::Pod(d) => kubectl_diagnose::redact::redact_diagnosis(d),
            Report::Sweep(r) => kubectl_diagnose::redact::redact_sweep(r),
        }
    }

    let tty = std::io::stdout().is_terminal();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    colored::control::set_override(color);
    let table = TableOptions {
        color,
        width: cli.width.unwrap_or_else(|| terminal_width(tty)),
        chinese: cli.lang.unwrap_or_else(lang_from_env) == Lang::Zh,
        sarif_artifact: cli.sarif_artifact.clone(),
        ..TableOptions::default()
    };
    let budget = cli
        .budget
        .unwrap_or(kubectl_diagnose::agent::DEFAULT_BUDGET);
    let worst = match &report {
        Report::Pod(d) => d.worst(),
        Report::Sweep(r) => r.worst(),
    };
    let failed = match (threshold, worst) {
        (Some(t), Some(w)) => w >= t,
        _ => false,
    };
    let code = forced_exit.unwrap_or(u8::from(failed));
    if cli.output == Format::Github {
        step_summary(&report, &table, threshold);
    }
    let printed = match &report {
        Report::Pod(d) if cli.output == Format::Agent => {
            print(&kubectl_diagnose::agent::render_pod(d, budget))
        }
        Report::Sweep(r) if cli.output == Format::Agent => {
            print(&kubectl_diagnose::agent::render_sweep(r, budget))
        }
        Report::Pod(d) => print(&output::render_pod(d, cli.output, &table, threshold)),
        // A sweep's report is written as it is rendered (JSON is streamed: see write_sweep).
        Report::Sweep(r) => output::write_sweep(
            r,
            cli.output,
            &table,
            threshold,
            &mut std::io::stdout().lock(),
        )
        .map_err(anyhow::Error::from),
    };
    // `| head` closing the pipe ends the output quietly but keeps the diagnosis' exit code, so a
    // `set -o pipefail` pipeline still sees a failure.
    match printed {
        Err(e) if is_broken_pipe(&e) => Ok(code),
        other => other.map(|()| code),
    }
}

/// `-o github` in a workflow: append the Markdown report to `GITHUB_STEP_SUMMARY` (within GitHub's
/// 1 MiB limit) and say so on stderr. A failure to write is a warning, never the run's failure.
fn step_summary(report: &Report, table: &TableOptions, threshold: Option<Severity>) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let path = PathBuf::from(path);
    let md = match report {
        Report::Pod(d) => output::render_pod(d, Format::Markdown, table, threshold),
        Report::Sweep(r) => output::render_sweep(r, Format::Markdown, table, threshold),
    };
    let shown = kubectl_diagnose::report::escape_terminal(&path.display().to_string());
    match output::append_step_summary(&path, &md) {
        Ok(n) => eprintln!("kubectl-diagnose: the Markdown report ({n} bytes) was appended to the step summary {shown}"),
        Err(e) => eprintln!("kubectl-diagnose: warning: cannot append to the step summary {shown}: {e}"),
    }
}

/// `mcp`: serve MCP on stdio until the client hangs up. Stdout carries only the protocol.
fn run_mcp(cli: &Cli) -> anyhow::Result<u8> {
    let config = kubectl_diagnose::mcp::McpConfig {
        cluster: cluster_options(cli)?,
        rules: load_rules(&cli.rules)?,
        redact: !cli.no_redact,
    };
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?
        .block_on(kubectl_diagnose::mcp::serve_stdio(config))?;
    Ok(0)
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn cluster_options(cli: &Cli) -> anyhow::Result<ClusterOptions> {
    cli.cluster.options().map_err(anyhow::Error::msg)
}

fn parse_wait(s: &str) -> anyhow::Result<std::time::Duration> {
    match kubectl_diagnose::connect::parse_duration(s) {
        Ok(Some(d)) => Ok(d),
        _ => anyhow::bail!("invalid --wait \"{s}\": use a Go duration such as 90s, 5m, 1h30m"),
    }
}

async fn diagnose_live_pod(
    cluster: &live::Cluster,
    target: &PodTarget,
    engine: &Engine,
) -> anyhow::Result<Diagnosis> {
    let g = cluster.gather_pod(target, engine).await?;
    let mut d = diagnose(engine, &g.evidence, Vec::new());
    d.cluster = Some(kubectl_diagnose::report::ClusterInfo {
        context: g.context,
        namespace: g.namespace,
        server: g.server,
        requests: g.requests,
        repeated_logs: g.repeated_logs,
    });
    Ok(d)
}

async fn sweep_live(
    cluster: &live::Cluster,
    target: &live::SweepTarget,
    engine: &Engine,
) -> anyhow::Result<SweepReport> {
    let bar = progress_spinner();
    let tick = |phase: live::Phase| {
        if let Some(b) = &bar {
            b.set_message(phase.to_string());
        }
    };
    let g = cluster.sweep(target, engine, Some(&tick)).await?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    Ok(output::live_sweep_report(g, target, engine))
}

/// Names for shell completion, from the rule catalog, the kubeconfig or the cluster (5 s at most;
/// any failure completes nothing).
fn completion_lookup(
    l: &kubectl_diagnose::complete::Lookup,
    given: &kubectl_diagnose::complete::Given,
) -> Vec<String> {
    use kubectl_diagnose::complete::Lookup;
    let get = |k: &str| {
        given
            .iter()
            .rev()
            .find(|(g, _)| g == k)
            .map(|(_, v)| v.clone())
    };
    match l {
        Lookup::RuleIds => {
            let dirs: Vec<PathBuf> = given
                .iter()
                .filter(|(k, _)| k == "rules")
                .map(|(_, v)| PathBuf::from(v))
                .collect();
            load_rules(&dirs)
                .or_else(|_| load_rules(&[]))
                .map(|s| s.rules.iter().map(|r| r.id.clone()).collect())
                .unwrap_or_default()
        }
        Lookup::Contexts => {
            let kc = get("kubeconfig").map(PathBuf::from);
            match kubectl_diagnose::connect::load_kubeconfig(kc.as_deref()) {
                Ok(Some(k)) => k.contexts.into_iter().map(|c| c.name).collect(),
                _ => Vec::new(),
            }
        }
        _ => {
            let args = ClusterArgs {
                kubeconfig: get("kubeconfig").map(PathBuf::from),
                context: get("context"),
                cluster: get("cluster"),
                user: get("user"),
                namespace: get("namespace"),
                server: get("server"),
                token: get("token"),
                certificate_authority: get("certificate-authority").map(PathBuf::from),
                tls_server_name: get("tls-server-name"),
                insecure_skip_tls_verify: get("insecure-skip-tls-verify")
                    .is_some_and(|v| v != "false"),
                request_timeout: "5s".into(),
                ..ClusterArgs::default()
            };
            let Ok(opts) = args.options() else {
                return Vec::new();
            };
            let Ok(rt) = runtime() else {
                return Vec::new();
            };
            rt.block_on(async {
                let work = async {
                    let cluster = live::Cluster::connect(&opts).await.ok()?;
                    cluster.names(l).await.ok()
                };
                tokio::time::timeout(std::time::Duration::from_secs(5), work)
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or_default()
            })
        }
    }
}

/// `pod KIND/NAME`: the workload's pods and its controllers' evidence, as one sweep report.
async fn workload_live(
    cluster: &live::Cluster,
    kind: WorkloadKind,
    name: &str,
    target: &live::SweepTarget,
    engine: &Engine,
) -> anyhow::Result<SweepReport> {
    let bar = progress_spinner();
    let tick = |phase: live::Phase| {
        if let Some(b) = &bar {
            b.set_message(phase.to_string());
        }
    };
    let g = cluster
        .gather_workload(kind, name, target, engine, Some(&tick))
        .await?;
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let mut pods: Vec<Diagnosis> = g
        .pods
        .evidence()
        .map(|ev| diagnose(engine, &ev, Vec::new()))
        .collect();
    let ns = g.pods.namespace.clone();
    let mut controller = diagnose(engine, &g.controller, Vec::new());
    if !controller.findings.is_empty() || pods.is_empty() {
        controller.subject = Some(kubectl_diagnose::report::Subject {
            kind: kind.kind().to_string(),
            name: Some(format!("{}/{name}", kind.as_str())),
            namespace: ns.clone(),
        });
        if !controller.findings.is_empty() {
            pods.push(controller.clone());
        }
    }
    let mut not_checked = g.pods.not_checked;
    not_checked.extend(controller.not_checked);
    let scope = Scope {
        kind: "workload".into(),
        namespace: ns.clone(),
        label_selector: g.selector,
        field_selector: None,
        source: Some(format!("{}/{name}", kind.as_str())),
    };
    let mut r = SweepReport::new(scope, g.pods.total, g.pods.healthy, pods, not_checked);
    r.healthy = g.pods.healthy_names;
    r.cluster = Some(kubectl_diagnose::report::ClusterInfo {
        context: g.pods.context,
        namespace: ns.unwrap_or_default(),
        server: g.pods.server,
        requests: g.pods.requests,
        repeated_logs: g.pods.repeated_logs,
    });
    Ok(r)
}

/// A spinner on stderr for sweeps, only when stderr is a terminal: it ticks steadily from the
/// first request (on its own thread) and names the phase (`listing pods (page 3)`, `listing events
/// and nodes`, `reading logs 4/17`).
fn progress_spinner() -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let b = indicatif::ProgressBar::new_spinner();
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        b.set_style(style);
    }
    b.set_message("connecting");
    b.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(b)
}

/// `pod --wait`: poll until Ready, a terminal failure, or the deadline.
async fn wait_pod(
    cluster: &live::Cluster,
    target: &PodTarget,
    engine: &Engine,
    limit: std::time::Duration,
) -> anyhow::Result<(Report, Option<u8>)> {
    use kubectl_diagnose::wait::{classify, is_terminal_failure, PodState, POLL_INTERVAL};
    let deadline = tokio::time::Instant::now() + limit;
    let mut last = String::from("the pod to be created");
    loop {
        let ev = cluster.pod_state(&target.name).await?;
        if !ev.pods.is_empty() {
            match classify(&ev) {
                PodState::Ready => {
                    let d = diagnose_live_pod(cluster, target, engine).await?;
                    return Ok((Report::Pod(Box::new(d)), Some(0)));
                }
                PodState::Trouble(what) => {
                    let d = diagnose_live_pod(cluster, target, engine).await?;
                    if is_terminal_failure(&d) {
                        return Ok((Report::Pod(Box::new(d)), Some(1)));
                    }
                    last = what;
                }
                PodState::Starting(what) => last = what,
            }
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            let mut d = match diagnose_live_pod(cluster, target, engine).await {
                Ok(d) => d,
                Err(e) => {
                    return Err(e.context(format!(
                        "--wait {} ran out while waiting for {last}",
                        human(limit)
                    )))
                }
            };
            d.not_checked.push(kubectl_diagnose::evidence::NotChecked {
                what: format!("readiness of pod {}/{}", cluster.namespace, target.name),
                reason: format!("--wait {} ran out while waiting for {last}", human(limit)),
            });
            return Ok((Report::Pod(Box::new(d)), Some(1)));
        }
        tokio::time::sleep(POLL_INTERVAL.min(deadline - now)).await;
    }
}

/// `namespace --wait`: poll until every pod is Ready, a terminal failure, or the deadline.
async fn wait_namespace(
    cluster: &live::Cluster,
    target: &live::SweepTarget,
    engine: &Engine,
    limit: std::time::Duration,
) -> anyhow::Result<(Report, Option<u8>)> {
    use kubectl_diagnose::wait::{classify, is_terminal_failure, PodState, POLL_INTERVAL};
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let states = cluster.pod_states(target).await?;
        let mut waiting: Vec<String> = Vec::new();
        let mut trouble = false;
        for (key, ev) in &states {
            match classify(ev) {
                PodState::Ready => {}
                PodState::Starting(what) => waiting.push(format!("{key}: {what}")),
                PodState::Trouble(what) => {
                    trouble = true;
                    waiting.push(format!("{key}: {what}"));
                }
            }
        }
        if states.is_empty() {
            waiting.push("a pod to match the selector".to_string());
        }
        if waiting.is_empty() {
            let r = sweep_live(cluster, target, engine).await?;
            return Ok((Report::Sweep(Box::new(r)), Some(0)));
        }
        if trouble {
            let r = sweep_live(cluster, target, engine).await?;
            if r.pods.iter().any(is_terminal_failure) {
                return Ok((Report::Sweep(Box::new(r)), Some(1)));
            }
        }
        let now = tokio::time::Instant::now();
        if now >= deadline {
            let mut r = sweep_live(cluster, target, engine).await?;
            for w in waiting {
                r.not_checked.push(kubectl_diagnose::evidence::NotChecked {
                    what: "readiness".to_string(),
                    reason: format!("--wait {} ran out while waiting for {w}", human(limit)),
                });
            }
            return Ok((Report::Sweep(Box::new(r)), Some(1)));
        }
        tokio::time::sleep(POLL_INTERVAL.min(deadline - now)).await;
    }
}

fn human(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 60 && s.is_multiple_of(60) {
        format!("{}m", s / 60)
    } else if s > 0 {
        format!("{s}s")
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// `file`: one pod's report, or a sweep report when the input holds several pods (a dump).
fn read_files(paths: &[PathBuf], engine: &Engine) -> anyhow::Result<Report> {
    let (ev, inputs) = read_inputs(paths, engine)?;
    let report = diagnose_files(paths, engine, &ev, inputs)?;
    let found = match &report {
        Report::Pod(d) => !d.findings.is_empty(),
        Report::Sweep(r) => r.pods.iter().any(|d| !d.findings.is_empty()),
    };
    // Part of the input could not be read and the rest shows nothing: "no failure found" would be a
    // claim the tool cannot make, so it is an error that names what was not read.
    if let (false, Some(first)) = (found, ev.not_checked.first()) {
        let more = match ev.not_checked.len() - 1 {
            0 => String::new(),
            n => format!(
                " (and {n} more unread part{})",
                if n == 1 { "" } else { "s" }
            ),
        };
        anyhow::bail!(
            "{}: {}{more}; nothing in the rest of the input shows a failure, so the diagnosis is \
             incomplete: send that part again in full",
            first.what,
            first.reason
        );
    }
    Ok(report)
}

fn diagnose_files(
    paths: &[PathBuf],
    engine: &Engine,
    ev: &kubectl_diagnose::evidence::Evidence,
    inputs: Vec<kubectl_diagnose::parse::InputSummary>,
) -> anyhow::Result<Report> {
    let source = paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ");
    let kind = paths
        .iter()
        .find_map(|p| kubectl_diagnose::parse::dump::detect(p))
        .map(|k| k.as_str().to_string())
        .unwrap_or_else(|| "files".to_string());
    match output::pasted_sweep_report(engine, ev, &kind, &source) {
        Some(r) => Ok(Report::Sweep(Box::new(r))),
        None => Ok(Report::Pod(Box::new(diagnose(engine, ev, inputs)))),
    }
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;
    Ok(())
}

fn run_rules(cli: &Cli, command: &RulesCommand) -> anyhow::Result<u8> {
    use kubectl_diagnose::report::escape_terminal;
    use kubectl_diagnose::tooling::{self, FixtureSource};
    let chinese = cli.lang.unwrap_or_else(lang_from_env) == Lang::Zh;
    match command {
        RulesCommand::List => {
            let set = load_rules(&cli.rules)?;
            if matches!(cli.output, Format::Json) {
                let rows = tooling::rule_rows(&set);
                print(&(serde_json::to_string_pretty(&rows)? + "\n"))?;
                return Ok(0);
            }
            let mut t = comfy_table::Table::new();
            t.load_preset(comfy_table::presets::NOTHING);
            t.set_header(vec![
                "ID",
                "SEVERITY",
                "CATEGORY",
                "KIND",
                "PLATFORMS",
                "SOURCE",
            ]);
            for r in &set.rules {
                t.add_row(vec![
                    r.id.clone(),
                    r.severity.to_string(),
                    r.category.clone(),
                    r.kind.as_str().to_string(),
                    r.platforms
                        .keys()
                        .map(|p| p.id())
                        .collect::<Vec<_>>()
                        .join(","),
                    r.origin.clone(),
                ]);
            }
            print(&format!("{t}\n{} rules\n", set.rules.len()))?;
            Ok(0)
        }
        RulesCommand::Show { id } => {
            let set = load_rules(&cli.rules)?;
            let Some(r) = set.get(id) else {
                anyhow::bail!("{}", tooling::unknown_rule_message(&set, id));
            };
            let text = if let Some(rel) = r.origin.strip_prefix("rules/") {
                kubectl_diagnose::rules::BUILTIN_RULES
                    .get_file(rel)
                    .and_then(|f| f.contents_utf8())
                    .unwrap_or_default()
                    .to_string()
            } else {
                std::fs::read_to_string(&r.origin).unwrap_or_default()
            };
            let mut s = String::new();
            s.push_str(&format!("{} [{}]\n", r.title, r.id));
            s.push_str(&format!(
                "severity: {}   category: {}   kind: {}   source: {}\n\n",
                r.severity,
                r.category,
                r.kind.as_str(),
                r.origin
            ));
            s.push_str(&format!("## What it detects\n{}\n\n", r.detects.trim()));
            s.push_str(&format!("## Why it happens\n{}\n\n", r.why.trim()));
            s.push_str("## How to fix it\n");
            match (&r.fix_zh, chinese) {
                (Some(z), true) => {
                    s.push_str(&format!("{}\n\n(English)\n{}\n\n", z.trim(), r.fix.trim()))
                }
                (Some(z), false) => {
                    s.push_str(&format!("{}\n\n(中文)\n{}\n\n", r.fix.trim(), z.trim()))
                }
                (None, _) => s.push_str(&format!("{}\n\n", r.fix.trim())),
            }
            for (p, pf) in &r.platforms {
                s.push_str(&format!(
                    "### On {} ({})\n{}\n\n",
                    p.name(),
                    p.id(),
                    pf.fix.trim()
                ));
                if let Some(z) = &pf.fix_zh {
                    s.push_str(&format!("{}\n\n", z.trim()));
                }
            }
            if !r.explains.is_empty() {
                s.push_str(&format!("## Explains\n{}\n\n", r.explains.join(", ")));
            }
            s.push_str("## References\n");
            for x in &r.references {
                s.push_str(&format!("- {x}\n"));
            }
            s.push_str(&format!("\n## Match\n{}\n", tooling::match_block(&text)));
            let source = if r.origin.starts_with("rules/") {
                FixtureSource::Builtin
            } else {
                FixtureSource::Dir(
                    PathBuf::from(&r.origin)
                        .parent()
                        .map(PathBuf::from)
                        .unwrap_or_default(),
                )
            };
            let fx = source.fixtures(&r.id);
            s.push_str("\n## Examples\n");
            if fx.is_empty() {
                s.push_str("(no fixtures)\n");
            }
            for f in fx {
                s.push_str(&format!("- {}\n", f.name));
            }
            print(&escape_terminal(&s))?;
            Ok(0)
        }
        RulesCommand::Lint { dir } => {
            let issues = tooling::lint(dir.as_deref())?;
            let errors = issues.iter().filter(|i| i.level == "error").count();
            if matches!(cli.output, Format::Json) {
                print(&(serde_json::to_string_pretty(&issues)? + "\n"))?;
            } else {
                let mut s = String::new();
                for i in &issues {
                    s.push_str(&format!("{}: {}: {}\n", i.location, i.level, i.message));
                }
                s.push_str(&format!(
                    "{} error(s), {} warning(s)\n",
                    errors,
                    issues.len() - errors
                ));
                print(&escape_terminal(&s))?;
            }
            Ok(u8::from(errors > 0))
        }
        RulesCommand::Test { dir } => {
            let mut set = kubectl_diagnose::rules::RuleSet::builtin()
                .context("built-in rules are invalid")?;
            let (ids, source) = match dir {
                None => (
                    set.rules.iter().map(|r| r.id.clone()).collect::<Vec<_>>(),
                    FixtureSource::Builtin,
                ),
                Some(d) => {
                    set.extend_from_dir(d)?;
                    // The directory's rules are the last load (the highest batch), whatever path
                    // spelling names them (`rules` and the built-ins' `rules/x.yaml` are alike).
                    let last = set.rules.iter().map(|r| r.batch).max().unwrap_or(0);
                    let ids = set
                        .rules
                        .iter()
                        .filter(|r| r.batch == last && last > 0)
                        .map(|r| r.id.clone())
                        .collect();
                    (ids, FixtureSource::Dir(d.clone()))
                }
            };
            set.check_links()?;
            let results = tooling::test_rules(&set, &ids, &source);
            let failed = results.iter().filter(|r| !r.passed).count();
            if matches!(cli.output, Format::Json) {
                print(&(serde_json::to_string_pretty(&results)? + "\n"))?;
            } else {
                let mut s = String::new();
                for r in &results {
                    s.push_str(&format!(
                        "{} {} {} ({}): {}\n",
                        if r.passed { "ok  " } else { "FAIL" },
                        r.rule,
                        r.fixture,
                        r.expect,
                        r.detail
                    ));
                }
                s.push_str(&format!(
                    "{} rules, {} fixtures: {} passed, {} failed\n",
                    ids.len(),
                    results.len(),
                    results.len() - failed,
                    failed
                ));
                print(&escape_terminal(&s))?;
            }
            Ok(u8::from(failed > 0))
        }
    }
}

/// The report's width: `COLUMNS`, else the terminal's width, else 80 (piped output).
fn terminal_width(tty: bool) -> u16 {
    if let Some(w) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<u16>().ok())
        .filter(|w| *w > 0)
    {
        return w.max(40);
    }
    if tty {
        if let Some((w, _)) = comfy_table_width() {
            return w.max(40);
        }
    }
    80
}

fn comfy_table_width() -> Option<(u16, u16)> {
    let t = comfy_table::Table::new();
    t.width().map(|w| (w, 0))
}

fn read_inputs(
    paths: &[PathBuf],
    engine: &Engine,
) -> anyhow::Result<(Evidence, Vec<parse::InputSummary>)> {
    let mut ev = Evidence::new();
    let mut inputs = Vec::new();
    let mut stdin_used = false;
    for p in paths {
        if p.as_os_str() == "-" {
            if stdin_used {
                anyhow::bail!("`-` (stdin) given twice; stdin can be read only once");
            }
            stdin_used = true;
            let stdin = std::io::stdin();
            inputs.push(parse::parse_reader("-", stdin.lock(), engine, &mut ev)?);
        } else {
            inputs.extend(parse::parse_path(p, engine, &mut ev)?);
        }
    }
    Ok((ev, inputs))
}
