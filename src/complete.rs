//! Shell completion at every level: subcommands, flags, flag values (`-o`, `--fail-on`, shells),
//! rule ids for `rules show`, and pod, workload, namespace and context names from the cluster.
//!
//! One engine answers both shells and kubectl: `kubectl-diagnose __complete WORDS... CURRENT` prints
//! one candidate per line and then `:DIRECTIVE`, Cobra's protocol, which kubectl (1.26 and later)
//! speaks with a plugin's `kubectl_complete-diagnose` script; the bash script from
//! `completions bash` calls the same command. Directives: 0 = the shell may complete file names,
//! 4 = no file names.

use clap::Command;

/// Cobra's `ShellCompDirectiveDefault`: file names may be completed.
pub const FILES: u32 = 0;
/// Cobra's `ShellCompDirectiveNoFileComp`.
pub const NO_FILES: u32 = 4;

/// What the cluster (or kubeconfig) is asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    Pods,
    Namespaces,
    Contexts,
    RuleIds,
    /// Names of this workload kind (`deployment`).
    Workloads(crate::nouns::WorkloadKind),
}

/// The flags already on the line (`--kubeconfig X`, `-n shop`, ...), for the lookups.
pub type Given = Vec<(String, String)>;

/// Flags whose value is a path: the shell completes file names there.
const PATH_FLAGS: &[&str] = &[
    "kubeconfig",
    "rules",
    "certificate-authority",
    "client-certificate",
    "client-key",
];

/// The canonical long name of a flag word (`-n` → `namespace`), when `cmd` knows it.
fn long_of(cmd: &Command, word: &str) -> Option<(String, bool)> {
    let name = word.split('=').next().unwrap_or(word);
    for a in cmd.get_arguments() {
        if a.is_positional() {
            continue;
        }
        let hit = match name.strip_prefix("--") {
            Some(l) => a.get_long() == Some(l),
            None => {
                name.len() == 2
                    && name.strip_prefix('-').and_then(|s| s.chars().next()) == a.get_short()
            }
        };
        if hit {
            let takes = a.get_action().takes_values()
                && a.get_num_args().is_none_or(|r| r.min_values() > 0);
            return Some((
                a.get_long()
                    .map(str::to_string)
                    .unwrap_or_else(|| a.get_id().to_string()),
                takes,
            ));
        }
    }
    None
}

fn find_arg<'a>(cmd: &'a Command, long: &str) -> Option<&'a clap::Arg> {
    cmd.get_arguments()
        .find(|a| a.get_long() == Some(long) || a.get_id().as_str() == long)
}

fn possible(cmd: &Command, long: &str) -> Vec<String> {
    find_arg(cmd, long)
        .map(|a| {
            a.get_possible_values()
                .iter()
                .filter(|p| !p.is_hide_set())
                .map(|p| p.get_name().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Complete `words` (the words after the program name; the last one is the word being completed,
/// possibly empty). `lookup` answers cluster and catalog questions; it may return nothing.
pub fn complete(
    root: &Command,
    words: &[String],
    lookup: &dyn Fn(&Lookup, &Given) -> Vec<String>,
) -> (Vec<String>, u32) {
    let mut root = root.clone();
    root.build();
    let (cur, prior) = match words.split_last() {
        Some((c, p)) => (c.clone(), p),
        None => (String::new(), &[][..]),
    };
    let mut cmd: &Command = &root;
    let mut path: Vec<String> = Vec::new();
    let mut positionals = 0usize;
    let mut given: Given = Vec::new();
    let mut pending: Option<String> = None;
    let mut only_positionals = false;
    for w in prior {
        if let Some(flag) = pending.take() {
            given.push((flag, w.clone()));
            continue;
        }
        if !only_positionals && w == "--" {
            only_positionals = true;
            continue;
        }
        if !only_positionals && w.starts_with('-') && w.len() > 1 {
            if let Some((long, takes)) = long_of(cmd, w) {
                match w.split_once('=') {
                    Some((_, v)) => given.push((long, v.to_string())),
                    None if takes => pending = Some(long),
                    None => {}
                }
            }
            continue;
        }
        let sub = cmd
            .get_subcommands()
            .find(|s| s.get_name() == w || s.get_all_aliases().any(|a| a == w));
        if positionals == 0 {
            if let Some(s) = sub {
                cmd = s;
                path.push(s.get_name().to_string());
                continue;
            }
        }
        positionals += 1;
    }
    let filter = |v: Vec<String>, prefix: &str| -> Vec<String> {
        let mut v: Vec<String> = v.into_iter().filter(|c| c.starts_with(prefix)).collect();
        v.sort();
        v.dedup();
        v
    };

    // The value of a flag: `-o <TAB>` or `--output=<TAB>`.
    let value_of = |long: &str, partial: &str| -> (Vec<String>, u32) {
        if PATH_FLAGS.contains(&long) {
            return (Vec::new(), FILES);
        }
        let v = match long {
            "context" => lookup(&Lookup::Contexts, &given),
            "namespace" => lookup(&Lookup::Namespaces, &given),
            _ => possible(cmd, long),
        };
        (filter(v, partial), NO_FILES)
    };
    if let Some(flag) = pending {
        return value_of(&flag, &cur);
    }
    if cur.starts_with("--") {
        if let Some((name, partial)) = cur.split_once('=') {
            if let Some((long, _)) = long_of(cmd, name) {
                let (v, d) = value_of(&long, partial);
                return (v.into_iter().map(|x| format!("{name}={x}")).collect(), d);
            }
            return (Vec::new(), NO_FILES);
        }
    }
    if cur.starts_with('-') && !only_positionals {
        let mut flags = Vec::new();
        for a in cmd.get_arguments() {
            if a.is_positional() || a.is_hide_set() {
                continue;
            }
            if let Some(l) = a.get_long() {
                flags.push(format!("--{l}"));
            }
            if let Some(s) = a.get_short() {
                if cur.len() <= 2 {
                    flags.push(format!("-{s}"));
                }
            }
        }
        flags.push("--help".into());
        return (filter(flags, &cur), NO_FILES);
    }

    // A positional word.
    let subs: Vec<String> = cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        .map(|s| s.get_name().to_string())
        .collect();
    let leaf = path.last().map(String::as_str).unwrap_or("");
    let parent = path.iter().rev().nth(1).map(String::as_str).unwrap_or("");
    match (parent, leaf) {
        (_, "") => {
            // `kubectl diagnose <TAB>`: the subcommands, then pods (a bare NAME is a pod) and
            // KIND/NAME for a workload being typed.
            let mut v = subs;
            if let Some((kind, _)) = cur.split_once('/') {
                return (workload_names(kind, &given, lookup), NO_FILES).filter_prefix(&cur);
            }
            if !cur.is_empty() {
                v.extend(lookup(&Lookup::Pods, &given));
            }
            (filter(v, &cur), NO_FILES)
        }
        ("", "pod") if positionals == 0 => {
            if let Some((kind, _)) = cur.split_once('/') {
                return (workload_names(kind, &given, lookup), NO_FILES).filter_prefix(&cur);
            }
            (filter(lookup(&Lookup::Pods, &given), &cur), NO_FILES)
        }
        ("", "namespace") if positionals == 0 => {
            (filter(lookup(&Lookup::Namespaces, &given), &cur), NO_FILES)
        }
        ("", "file") => (Vec::new(), FILES),
        ("", "completions") if positionals == 0 => (filter(possible(cmd, "shell"), &cur), NO_FILES),
        ("", "rules") if positionals == 0 => (filter(subs, &cur), NO_FILES),
        ("rules", "show") if positionals == 0 => {
            (filter(lookup(&Lookup::RuleIds, &given), &cur), NO_FILES)
        }
        ("rules", "lint") | ("rules", "test") => (Vec::new(), FILES),
        _ => (filter(subs, &cur), NO_FILES),
    }
}

/// `deploy/` + each deployment's name (the prefix as typed).
fn workload_names(
    kind: &str,
    given: &Given,
    lookup: &dyn Fn(&Lookup, &Given) -> Vec<String>,
) -> Vec<String> {
    let names = if matches!(kind, "po" | "pod" | "pods") {
        lookup(&Lookup::Pods, given)
    } else {
        match crate::nouns::WorkloadKind::from_noun(kind) {
            Some(k) => lookup(&Lookup::Workloads(k), given),
            None => Vec::new(),
        }
    };
    names.into_iter().map(|n| format!("{kind}/{n}")).collect()
}

trait FilterPrefix {
    fn filter_prefix(self, prefix: &str) -> Self;
}

impl FilterPrefix for (Vec<String>, u32) {
    fn filter_prefix(self, prefix: &str) -> Self {
        let mut v: Vec<String> = self
            .0
            .into_iter()
            .filter(|c| c.starts_with(prefix))
            .collect();
        v.sort();
        (v, self.1)
    }
}

/// Cobra's output: candidates, then `:DIRECTIVE`.
pub fn cobra_output(candidates: &[String], directive: u32) -> String {
    let mut s = String::new();
    for c in candidates {
        // A candidate is one line; the names come from the cluster: no control characters.
        if c.chars().any(|ch| ch.is_control()) {
            continue;
        }
        s.push_str(c);
        s.push('\n');
    }
    s.push_str(&format!(":{directive}\n"));
    s
}

/// The bash completion script for `bin` (and for `kubectl diagnose` through kubectl's own
/// completion, which runs `kubectl_complete-diagnose`). It asks `BIN __complete` for the words
/// before the cursor; plain bash suffices (no bash-completion package needed).
pub fn bash_script(bin: &str) -> String {
    let func = format!("_{}", bin.replace(['-', '.'], "_"));
    format!(
        r#"# bash completion for {bin}; source it: source <({bin} completions bash)
{func}() {{
    local line="${{COMP_LINE:0:COMP_POINT}}"
    local -a words
    read -r -a words <<< "$line"
    if [[ "$line" =~ [[:space:]]$ ]]; then
        words+=("")
    fi
    local prog="${{words[0]}}"
    local out
    out=$("$prog" __complete "${{words[@]:1}}" 2>/dev/null) || return 0
    local directive="${{out##*:}}"
    local cands="${{out%:*}}"
    local cur="${{COMP_WORDS[COMP_CWORD]}}"
    local typed="${{words[${{#words[@]}}-1]}}"
    # bash splits words at = and :; strip what it does not count as the current word.
    local strip="${{typed%"$cur"}}"
    COMPREPLY=()
    local c
    while IFS= read -r c; do
        [[ -z "$c" ]] && continue
        COMPREPLY+=("${{c#"$strip"}}")
    done <<< "$cands"
    if [[ ${{#COMPREPLY[@]}} -eq 0 && "$directive" == "0" ]]; then
        compopt -o default 2>/dev/null
    fi
    return 0
}}
complete -F {func} {bin}
"#
    )
}

/// The `kubectl_complete-diagnose` script that kubectl (1.26 and later) runs to complete
/// `kubectl diagnose ...`: it passes the words after `diagnose` and reads Cobra's output.
pub const KUBECTL_COMPLETE_SCRIPT: &str = "#!/bin/sh\n# kubectl (1.26+) runs this to complete `kubectl diagnose ...`; install it next to kubectl-diagnose on PATH.\nexec kubectl-diagnose __complete \"$@\"\n";

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction};

    fn cmd() -> Command {
        Command::new("k")
            .arg(
                Arg::new("namespace")
                    .short('n')
                    .long("namespace")
                    .global(true),
            )
            .arg(Arg::new("context").long("context").global(true))
            .arg(Arg::new("kubeconfig").long("kubeconfig").global(true))
            .arg(
                Arg::new("output")
                    .short('o')
                    .long("output")
                    .global(true)
                    .value_parser(["table", "json", "yaml"]),
            )
            .arg(Arg::new("all").short('A').action(ArgAction::SetTrue))
            .subcommand(Command::new("pod").arg(Arg::new("name")))
            .subcommand(Command::new("namespace").alias("ns").arg(Arg::new("name")))
            .subcommand(Command::new("file").arg(Arg::new("paths")))
            .subcommand(
                Command::new("rules")
                    .subcommand(Command::new("show").arg(Arg::new("id")))
                    .subcommand(Command::new("list")),
            )
    }

    fn lookup(l: &Lookup, given: &Given) -> Vec<String> {
        let ns = given
            .iter()
            .find(|(k, _)| k == "namespace")
            .map(|(_, v)| v.as_str())
            .unwrap_or("default");
        match l {
            Lookup::Pods => vec![format!("{ns}-web-1"), format!("{ns}-db-0")],
            Lookup::Namespaces => vec!["default".into(), "shop".into()],
            Lookup::Contexts => vec!["prod".into(), "staging".into()],
            Lookup::RuleIds => vec!["oom-killed".into(), "port-already-in-use".into()],
            Lookup::Workloads(_) => vec!["web".into()],
        }
    }

    fn c(line: &[&str]) -> (Vec<String>, u32) {
        let words: Vec<String> = line.iter().map(|s| s.to_string()).collect();
        complete(&cmd(), &words, &lookup)
    }

    #[test]
    fn every_level() {
        assert_eq!(c(&["p"]).0, vec!["pod"]);
        assert_eq!(c(&[""]).0, vec!["file", "namespace", "pod", "rules"]);
        assert_eq!(c(&["-o", "j"]), (vec!["json".to_string()], NO_FILES));
        assert_eq!(c(&["--output=y"]).0, vec!["--output=yaml"]);
        assert_eq!(c(&["pod", "--out"]).0, vec!["--output"]);
        assert_eq!(
            c(&["-n", "shop", "pod", ""]).0,
            vec!["shop-db-0", "shop-web-1"]
        );
        assert_eq!(c(&["pod", "deploy/"]).0, vec!["deploy/web"]);
        assert_eq!(c(&["ns", "s"]).0, vec!["shop"]);
        assert_eq!(c(&["--context", ""]).0, vec!["prod", "staging"]);
        assert_eq!(c(&["rules", "show", "oo"]).0, vec!["oom-killed"]);
        assert_eq!(c(&["rules", "l"]).0, vec!["list"]);
        assert_eq!(c(&["file", "x"]), (vec![], FILES));
        assert_eq!(c(&["--kubeconfig", ""]), (vec![], FILES));
        assert!(c(&["sh"]).0.is_empty());
        assert_eq!(c(&["de"]).0, vec!["default-db-0", "default-web-1"]);
    }

    #[test]
    fn cobra_format() {
        assert_eq!(cobra_output(&["a".into(), "b\x1b".into()], 4), "a\n:4\n");
    }
}
