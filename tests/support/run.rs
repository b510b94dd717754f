//! Running the `kubectl-diagnose` binary from a test and reading what it printed.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use std::time::Duration;

/// What one run printed: its exit code (-1 when killed by a signal), stdout parsed as JSON
/// (`Null` when it is not JSON), and both streams as text.
pub struct Run {
    pub code: i32,
    pub json: Value,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from_output(out: std::process::Output) -> Run {
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        Run {
            code: out.status.code().unwrap_or(-1),
            json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
            stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

/// Runs the binary against the kubeconfig `kubeconfig` (its directory is HOME, so no user
/// kubeconfig or in-cluster service account leaks in) with `args`, cut off after 60 s.
pub fn diagnose(kubeconfig: &Path, args: &[&str]) -> Run {
    let out = Command::cargo_bin("kubectl-diagnose")
        .expect("binary")
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("HOME", kubeconfig.parent().expect("dir"))
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .expect("runs");
    Run::from_output(out)
}
