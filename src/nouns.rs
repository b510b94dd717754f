//! kubectl's nouns on the command line: `kubectl diagnose po web-1`, `pods`, `pod/web-1`, `ns shop`,
//! `deploy/web`, `deploy web`, `sts/db`, `ds/agent`, `job/migrate`, `cronjob/nightly`, and a bare
//! `NAME` meaning a pod. [`rewrite`] turns them into the subcommands before clap parses the line;
//! [`Target::parse`] reads the `KIND/NAME` that the `pod` subcommand then receives.

/// A workload kind that `kubectl diagnose KIND/NAME` resolves to its pods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
}

impl WorkloadKind {
    /// kubectl's names for the kind: plural, singular, short name (case-insensitive).
    pub fn from_noun(noun: &str) -> Option<WorkloadKind> {
        let n = noun.to_ascii_lowercase();
        let n = n.split('.').next().unwrap_or("");
        Some(match n {
            "deploy" | "deployment" | "deployments" => WorkloadKind::Deployment,
            "rs" | "replicaset" | "replicasets" => WorkloadKind::ReplicaSet,
            "sts" | "statefulset" | "statefulsets" => WorkloadKind::StatefulSet,
            "ds" | "daemonset" | "daemonsets" => WorkloadKind::DaemonSet,
            "job" | "jobs" => WorkloadKind::Job,
            "cj" | "cronjob" | "cronjobs" => WorkloadKind::CronJob,
            _ => return None,
        })
    }

    /// The API kind (`Deployment`).
    pub fn kind(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::ReplicaSet => "ReplicaSet",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::Job => "Job",
            WorkloadKind::CronJob => "CronJob",
        }
    }

    /// The lower-case name used in reports (`deployment`).
    pub fn as_str(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::ReplicaSet => "replicaset",
            WorkloadKind::StatefulSet => "statefulset",
            WorkloadKind::DaemonSet => "daemonset",
            WorkloadKind::Job => "job",
            WorkloadKind::CronJob => "cronjob",
        }
    }
}

/// What `kubectl diagnose pod X` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Pod(String),
    Workload(WorkloadKind, String),
}

impl Target {
    /// `web-1`, `pod/web-1`, `po/web-1`, `deploy/web`, `deployment.apps/web`, ...
    pub fn parse(s: &str) -> Result<Target, String> {
        let Some((kind, name)) = s.split_once('/') else {
            return Ok(Target::Pod(s.to_string()));
        };
        if name.is_empty() || name.contains('/') {
            return Err(format!("\"{s}\": expected NAME or KIND/NAME"));
        }
        if is_pod_noun(kind) {
            return Ok(Target::Pod(name.to_string()));
        }
        match WorkloadKind::from_noun(kind) {
            Some(k) => Ok(Target::Workload(k, name.to_string())),
            None => Err(format!(
                "\"{kind}\" is not a kind kubectl-diagnose can diagnose; use pod/NAME, deploy/NAME, rs/NAME, sts/NAME, ds/NAME, job/NAME, cronjob/NAME or a namespace"
            )),
        }
    }
}

fn is_pod_noun(s: &str) -> bool {
    matches!(s.to_ascii_lowercase().as_str(), "po" | "pod" | "pods")
}

fn is_namespace_noun(s: &str) -> bool {
    matches!(
        s.to_ascii_lowercase().as_str(),
        "ns" | "namespace" | "namespaces"
    )
}

/// Flags of `cmd` and its subcommands that take a value in the next word (`-n shop`).
fn value_flags(cmd: &clap::Command) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(c: &clap::Command, out: &mut Vec<String>) {
        for a in c.get_arguments() {
            if a.is_positional() {
                continue;
            }
            let takes = a.get_action().takes_values()
                && a.get_num_args().is_none_or(|r| r.min_values() > 0);
            if !takes {
                continue;
            }
            if let Some(l) = a.get_long() {
                out.push(format!("--{l}"));
            }
            if let Some(s) = a.get_short() {
                out.push(format!("-{s}"));
            }
        }
        for s in c.get_subcommands() {
            walk(s, out);
        }
    }
    walk(cmd, &mut out);
    out
}

/// Indexes of the positional words of `args` (skipping `args[0]`, flags and their values).
fn positionals(cmd: &clap::Command, args: &[String]) -> Vec<usize> {
    let takes = value_flags(cmd);
    let mut out = Vec::new();
    let mut i = 1;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            out.extend(i + 1..args.len());
            break;
        }
        if a.starts_with('-') && a.len() > 1 {
            if !a.contains('=') && takes.iter().any(|t| t == a) {
                i += 1;
            }
        } else {
            out.push(i);
        }
        i += 1;
    }
    out
}

/// Rewrite kubectl-style nouns into this command's subcommands (see the module docs). Lines whose
/// first positional word is already a subcommand are left alone.
pub fn rewrite(cmd: &clap::Command, mut args: Vec<String>) -> Vec<String> {
    let pos = positionals(cmd, &args);
    let Some(&first) = pos.first() else {
        return args;
    };
    let word = args[first].clone();
    let is_sub = cmd
        .get_subcommands()
        .any(|s| s.get_name() == word || s.get_all_aliases().any(|a| a == word));
    if is_sub {
        return args;
    }
    let next = pos.get(1).copied();
    if is_pod_noun(&word) {
        // `pods` alone lists: a sweep of the namespace; `po NAME` is that pod.
        args[first] = if next.is_some() { "pod" } else { "namespace" }.into();
        return args;
    }
    if let Some((kind, name)) = word.split_once('/') {
        if is_namespace_noun(kind) {
            args[first] = name.to_string();
            args.insert(first, "namespace".into());
            return args;
        }
        args.insert(first, "pod".into());
        return args;
    }
    if WorkloadKind::from_noun(&word).is_some() {
        if let Some(n) = next {
            let name = args.remove(n);
            args[first] = format!("{word}/{name}");
            args.insert(first, "pod".into());
            return args;
        }
    }
    // NAME alone: a pod.
    args.insert(first, "pod".into());
    args
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd() -> clap::Command {
        clap::Command::new("k")
            .arg(
                clap::Arg::new("namespace")
                    .short('n')
                    .long("namespace")
                    .global(true),
            )
            .arg(
                clap::Arg::new("all")
                    .short('A')
                    .action(clap::ArgAction::SetTrue)
                    .global(true),
            )
            .subcommand(clap::Command::new("pod").arg(clap::Arg::new("name")))
            .subcommand(
                clap::Command::new("namespace")
                    .alias("ns")
                    .arg(clap::Arg::new("name")),
            )
            .subcommand(clap::Command::new("file"))
    }

    fn rw(line: &str) -> String {
        let args: Vec<String> = line.split(' ').map(String::from).collect();
        rewrite(&cmd(), args).join(" ")
    }

    #[test]
    fn kubectl_nouns_become_subcommands() {
        assert_eq!(rw("k po web-1"), "k pod web-1");
        assert_eq!(rw("k -n shop pods"), "k -n shop namespace");
        assert_eq!(rw("k pods -n shop web-1"), "k pod -n shop web-1");
        assert_eq!(rw("k pod/web-1 -n shop"), "k pod pod/web-1 -n shop");
        assert_eq!(rw("k -n shop web-1"), "k -n shop pod web-1");
        assert_eq!(rw("k deploy web"), "k pod deploy/web");
        assert_eq!(rw("k -n shop sts/db"), "k -n shop pod sts/db");
        assert_eq!(rw("k ns/shop"), "k namespace shop");
        assert_eq!(rw("k ns shop"), "k ns shop");
        assert_eq!(rw("k namespace shop"), "k namespace shop");
        assert_eq!(rw("k -A"), "k -A");
        assert_eq!(rw("k file x.txt"), "k file x.txt");
        // A flag value equal to a noun is not taken for one.
        assert_eq!(rw("k -n pods web"), "k -n pods pod web");
    }

    #[test]
    fn targets_parse() {
        assert_eq!(Target::parse("web-1"), Ok(Target::Pod("web-1".into())));
        assert_eq!(Target::parse("pod/web-1"), Ok(Target::Pod("web-1".into())));
        assert_eq!(
            Target::parse("deploy/web"),
            Ok(Target::Workload(WorkloadKind::Deployment, "web".into()))
        );
        assert_eq!(
            Target::parse("deployment.apps/web"),
            Ok(Target::Workload(WorkloadKind::Deployment, "web".into()))
        );
        assert_eq!(
            Target::parse("cj/nightly"),
            Ok(Target::Workload(WorkloadKind::CronJob, "nightly".into()))
        );
        assert!(Target::parse("svc/web").is_err());
        assert!(Target::parse("deploy/").is_err());
    }
}
