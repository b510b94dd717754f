//! Command-line edge: argument parsing, reading inputs, rendering, exit codes.
//!
//! Errors are typed inside the library; here they become one line on stderr and exit code 2. A
//! closed stdout (`| head`) ends the program quietly.

use anyhow::Context;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use kubectl_diagnose::engine::Engine;
use kubectl_diagnose::evidence::Evidence;
use kubectl_diagnose::live::{self, ClusterOptions, PodTarget};
use kubectl_diagnose::report::TableOptions;
use kubectl_diagnose::rules::{RuleSet, Severity};
use kubectl_diagnose::{diagnose, parse};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

const EXIT_CODES: &str = "\
Exit codes:
  0  nothing at or above --fail-on was found
  1  a finding at or above --fail-on was found (default: a warning or a critical cause)
  2  error: unreadable or empty input, a bad rule file, bad arguments, cluster unreachable,
     TLS or credential failure, pod not found";

/// Tells you why a Kubernetes pod is failing and how to fix it.
///
/// Reads `kubectl describe pod` output, event tables, Pod/Event/Node YAML or JSON and container logs
/// (several may be pasted into one file, in any order), matches them against declarative rules, and
/// prints the causes ranked with the evidence line that proves each one and its documented fix.
#[derive(Parser, Debug)]
#[command(name = "kubectl-diagnose", version, after_help = EXIT_CODES, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t = Output::Table, global = true)]
    output: Output,

    /// Exit 1 when a finding at or above this severity is found; `never` always exits 0 on success.
    #[arg(long, value_enum, default_value_t = FailOn::Warning, global = true)]
    fail_on: FailOn,

    /// Load extra rules from DIR (every *.yaml/*.yml in it); a rule with the id of a built-in rule
    /// replaces it. Repeatable; later directories win.
    #[arg(long = "rules", value_name = "DIR", global = true)]
    rules: Vec<PathBuf>,

    /// When to colour the table. `auto` colours only a terminal, and never when NO_COLOR is set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    color: ColorChoice,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Diagnose a pod in a live cluster (read-only: only GET requests).
    ///
    /// Fetches the pod, then concurrently its events (selected by the pod's uid), its node and the
    /// node's events, the previous and current logs of failing containers, and for a Pending pod with
    /// no node the nodes with their taints and conditions. What RBAC forbids or what times out is
    /// listed under "Not checked"; the diagnosis runs on the rest.
    #[command(after_help = EXIT_CODES)]
    Pod {
        /// Name of the pod.
        name: String,
        #[command(flatten)]
        cluster: ClusterArgs,
        /// Only this container: its logs, its status and the events that name it.
        #[arg(short = 'c', long)]
        container: Option<String>,
        /// Lines of each container log to fetch (from the end).
        #[arg(long, default_value_t = live::DEFAULT_TAIL, value_name = "LINES")]
        tail: i64,
    },
    /// Diagnose pasted text: files, directories (every file in them), or `-` for stdin.
    ///
    /// Recognised inside any input, in any order: `kubectl describe pod|node`, `kubectl get events`
    /// (also -o wide) and `kubectl events` tables, cloud-console event tables (Chinese headers
    /// included), Pod/Event/Node objects and Lists as YAML or JSON, and container logs (after a
    /// `$ kubectl logs POD -c NAME --previous` line they are attributed to that container). Anything
    /// else is scanned line by line as free text.
    #[command(after_help = EXIT_CODES)]
    File {
        /// Files or directories to read; `-` reads standard input.
        #[arg(value_name = "PATH", required = true)]
        paths: Vec<PathBuf>,
    },
}

/// How to reach the cluster; same meaning as kubectl's flags.
#[derive(Args, Debug)]
struct ClusterArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, a list of files that are merged, else
    /// ~/.kube/config).
    #[arg(long, value_name = "PATH")]
    kubeconfig: Option<PathBuf>,
    /// The kubeconfig context to use (default: the current context).
    #[arg(long, value_name = "NAME")]
    context: Option<String>,
    /// Namespace of the pod (default: the context's namespace, else "default").
    #[arg(short = 'n', long)]
    namespace: Option<String>,
    /// Give up on a request after this long: 30s, 2m, 500ms; 0 waits forever.
    #[arg(long, default_value = "30s", value_name = "DURATION")]
    request_timeout: String,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
enum Output {
    Table,
    Json,
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

/// True when kubectl started us as a plugin (`kubectl diagnose ...`): kubectl passes its environment
/// through, and the shell's `_` names the program it ran, which is then kubectl, not us.
fn run_by_kubectl() -> bool {
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
    let parsed = Cli::command()
        .bin_name(name)
        .try_get_matches()
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
            let chain: Vec<String> = e.chain().map(|c| c.to_string()).collect();
            eprintln!("{name}: error: {}", dedup_chain(chain).join(": "));
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

fn run(cli: &Cli) -> anyhow::Result<u8> {
    let rules = load_rules(&cli.rules)?;
    let engine = Engine::new(&rules)?;
    let diagnosis = match &cli.command {
        Command::File { paths } => {
            let (ev, inputs) = read_inputs(paths, &engine)?;
            diagnose(&engine, &ev, inputs)
        }
        Command::Pod {
            name,
            cluster,
            container,
            tail,
        } => {
            let opts = ClusterOptions {
                kubeconfig: cluster.kubeconfig.clone(),
                context: cluster.context.clone(),
                namespace: cluster.namespace.clone(),
                request_timeout: live::parse_timeout(&cluster.request_timeout)
                    .map_err(anyhow::Error::msg)?,
            };
            if *tail < 0 {
                anyhow::bail!("--tail must be 0 or more lines, got {tail}");
            }
            let target = PodTarget {
                name: name.clone(),
                container: container.clone(),
                tail: *tail,
            };
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .context("cannot start the async runtime")?;
            let gathered = rt.block_on(async {
                let cluster = live::Cluster::connect(&opts).await?;
                cluster.gather_pod(&target, &engine).await
            })?;
            let mut d = diagnose(&engine, &gathered.evidence, Vec::new());
            d.cluster = Some(kubectl_diagnose::report::ClusterInfo {
                context: gathered.context,
                namespace: gathered.namespace,
                server: gathered.server,
                requests: gathered.requests,
            });
            d
        }
    };

    let text = match cli.output {
        Output::Json => diagnosis.to_json(),
        Output::Table => {
            let tty = std::io::stdout().is_terminal();
            let color = match cli.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    tty && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            colored::control::set_override(color);
            let width = terminal_width(tty);
            diagnosis.to_table(&TableOptions {
                color,
                width,
                ..TableOptions::default()
            })
        }
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()?;

    let threshold = match cli.fail_on {
        FailOn::Info => Some(Severity::Info),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Critical => Some(Severity::Critical),
        FailOn::Never => None,
    };
    let failed = match (threshold, diagnosis.worst()) {
        (Some(t), Some(w)) => w >= t,
        _ => false,
    };
    Ok(u8::from(failed))
}

fn terminal_width(tty: bool) -> u16 {
    if let Some(w) = std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
    {
        return w.max(60);
    }
    if tty {
        if let Some((w, _)) = comfy_table_width() {
            return w.max(60);
        }
    }
    140
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
