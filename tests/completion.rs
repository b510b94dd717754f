//! Shell completion driven through bash itself: the script from `completions bash` is sourced, the
//! function it registered with `complete -F` is found with `complete -p` and called the way bash
//! calls it on TAB (COMP_LINE, COMP_POINT, COMP_WORDS, COMP_CWORD), and COMPREPLY is read back. Three
//! levels: subcommands, flags and their values, and names from the in-test API server. Also the
//! `kubectl_complete-diagnose` script that kubectl (1.26+) runs for `kubectl diagnose <TAB>`.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::{ApiServer, Options};

fn bin_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_kubectl-diagnose"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn path_env(extra: &Path) -> String {
    format!(
        "{}:{}:{}",
        extra.display(),
        bin_dir().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

/// What bash offers for `line` (the cursor at its end). `words` are COMP_WORDS as bash splits the
/// line (at spaces and at COMP_WORDBREAKS such as `=`).
fn bash_complete(line: &str, words: &[&str], home: &Path) -> Vec<String> {
    let script = r#"
set -u
source <(kubectl-diagnose completions bash)
fn=$(complete -p kubectl-diagnose | sed -E 's/.* -F ([^ ]+) .*/\1/')
COMP_LINE="$1"
COMP_POINT=${#COMP_LINE}
shift
COMP_WORDS=("$@")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
COMPREPLY=()
"$fn" kubectl-diagnose "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]:-}"
printf '%s\n' "${COMPREPLY[@]}"
"#;
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg("bash")
        .arg(line)
        .args(words)
        .env("PATH", path_env(home))
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut v: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    v.sort();
    v
}

#[test]
fn level_one_subcommands() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(
        bash_complete(
            "kubectl-diagnose na",
            &["kubectl-diagnose", "na"],
            home.path()
        ),
        vec!["namespace"]
    );
    assert_eq!(
        bash_complete(
            "kubectl-diagnose rules ",
            &["kubectl-diagnose", "rules", ""],
            home.path()
        ),
        vec!["lint", "list", "show", "test"]
    );
}

#[test]
fn level_two_flags_and_values() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(
        bash_complete(
            "kubectl-diagnose pod web -o j",
            &["kubectl-diagnose", "pod", "web", "-o", "j"],
            home.path()
        ),
        vec!["json", "junit"]
    );
    // bash splits `--output=y` at `=`: the reply completes only the part after it.
    assert_eq!(
        bash_complete(
            "kubectl-diagnose --output=y",
            &["kubectl-diagnose", "--output", "=", "y"],
            home.path()
        ),
        vec!["yaml"]
    );
    assert_eq!(
        bash_complete(
            "kubectl-diagnose namespace --fail-on c",
            &["kubectl-diagnose", "namespace", "--fail-on", "c"],
            home.path()
        ),
        vec!["critical"]
    );
    assert_eq!(
        bash_complete(
            "kubectl-diagnose pod --all",
            &["kubectl-diagnose", "pod", "--all"],
            home.path()
        ),
        Vec::<String>::new(),
        "pod has no --all-namespaces"
    );
    assert_eq!(
        bash_complete(
            "kubectl-diagnose namespace --all",
            &["kubectl-diagnose", "namespace", "--all"],
            home.path()
        ),
        vec!["--all-namespaces"]
    );
    assert_eq!(
        bash_complete(
            "kubectl-diagnose rules show port-al",
            &["kubectl-diagnose", "rules", "show", "port-al"],
            home.path()
        ),
        vec!["port-already-in-use"]
    );
}

#[test]
fn level_three_names_from_the_cluster() {
    let s = ApiServer::start("sweep", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    let kc = kc.to_string_lossy().into_owned();
    let pods = bash_complete(
        &format!("kubectl-diagnose --kubeconfig {kc} pod cat"),
        &["kubectl-diagnose", "--kubeconfig", &kc, "pod", "cat"],
        home.path(),
    );
    assert_eq!(pods.len(), 2, "{pods:?}");
    assert!(pods.iter().all(|p| p.starts_with("catalog-")), "{pods:?}");
    let ns = bash_complete(
        &format!("kubectl-diagnose --kubeconfig {kc} ns "),
        &["kubectl-diagnose", "--kubeconfig", &kc, "ns", ""],
        home.path(),
    );
    assert!(
        ns.contains(&"shop".to_string()) && ns.contains(&"kube-system".to_string()),
        "{ns:?}"
    );
    let ctx = bash_complete(
        &format!("kubectl-diagnose --kubeconfig {kc} --context "),
        &["kubectl-diagnose", "--kubeconfig", &kc, "--context", ""],
        home.path(),
    );
    assert_eq!(ctx, vec!["test"]);
    // Only GETs of lists reached the server.
    assert!(s.requests().iter().all(|r| r.method == "GET"));
}

#[test]
fn kubectl_plugin_completion_script() {
    let s = ApiServer::start("sweep", Options::default());
    let home = tempfile::tempdir().unwrap();
    let kc = s.write_kubeconfig(home.path(), "shop");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("krew/kubectl_complete-diagnose");
    // kubectl passes the words after `diagnose`, the last being the one to complete.
    let out = Command::new("sh")
        .arg(&script)
        .args(["--kubeconfig", kc.to_str().unwrap(), "pod", "redis"])
        .env("PATH", path_env(home.path()))
        .env("HOME", home.path())
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text, "redis-0\n:4\n", "{text}");
    let out = Command::new("sh")
        .arg(&script)
        .arg("")
        .env("PATH", path_env(home.path()))
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("namespace\n") && text.contains("pod\n") && text.ends_with(":4\n"),
        "{text}"
    );
    // The shipped script is executable and is the one the code documents.
    let body = std::fs::read_to_string(&script).unwrap();
    assert_eq!(body, kubectl_diagnose::complete::KUBECTL_COMPLETE_SCRIPT);
}
