//! Real names in the fixes: a command that can be pasted as it is.
//!
//! Rule fixes are written for any pod: `kubectl logs <pod> -c <container> --previous`. Once the
//! evidence names the pod, its namespace, the container a finding is about and the node, those
//! placeholders are filled in, in every text of the finding's fix (`fix`, `fixZh`, `genericFix`),
//! so every output format shows the same command. A placeholder stays only when the evidence does
//! not name it. Only values that look like Kubernetes names are filled (letters, digits, `-._`):
//! evidence is untrusted text, and a fix is something people paste into a shell.
//!
//! What the tool saw can be stated too: `<port-holder>` in a fix becomes the other containers of
//! the pod that declare the port of the finding's `port` capture (`container web declares port
//! 80/TCP too`), or, when none is known, a phrase that still reads ("another container of the pod or
//! a process in it").
//!
//! A placeholder that is one label of a DNS name (`<service>.<namespace>.svc`) is not filled: it
//! names another object's namespace, not the pod's.

use crate::engine::Finding;
use crate::evidence::Evidence;
use crate::report::Subject;

/// A value safe to paste into a shell command: a Kubernetes object name (DNS subdomain or label,
/// node names such as `192.168.0.112` included).
pub fn is_k8s_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        && s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
}

/// The names one finding's fix can be filled with.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Names {
    pub pod: Option<String>,
    pub namespace: Option<String>,
    pub container: Option<String>,
    pub node: Option<String>,
    /// Other containers of the pod that declare the finding's port, with `port/protocol`.
    pub port_holders: Vec<(String, String)>,
    /// Whether the finding names a port at all (`<port-holder>` has something to say).
    pub port: Option<u16>,
}

impl Names {
    /// What the evidence says about the names in `f`.
    pub fn of(f: &Finding, ev: &Evidence, subject: Option<&Subject>) -> Names {
        let ok = |v: Option<String>| v.filter(|v| is_k8s_name(v));
        let pod = ok(subject.and_then(|s| s.name.clone()));
        let namespace = ok(subject.and_then(|s| s.namespace.clone()));
        let this_pod = |key: &Option<String>| match (key, &pod) {
            (None, _) => true,
            (Some(k), Some(p)) => k == p || k.rsplit('/').next() == Some(p.as_str()),
            (Some(_), None) => true,
        };
        let container = ok(f.evidence.iter().find_map(|e| e.container.clone())).or_else(|| {
            // A pod with a single container: that one.
            let mut names: Vec<&str> = ev
                .containers
                .iter()
                .filter(|c| this_pod(&c.pod) && !c.name.is_empty())
                .map(|c| c.name.as_str())
                .collect();
            names.sort_unstable();
            names.dedup();
            match names.as_slice() {
                [one] => ok(Some(one.to_string())),
                _ => None,
            }
        });
        let node = ok(f.evidence.iter().find_map(|e| e.node.clone())).or_else(|| {
            ok(ev
                .pods
                .iter()
                .find(|p| p.name.is_some() && p.name == pod)
                .and_then(|p| p.node_name.clone()))
        });
        let port = f.captures.get("port").and_then(|p| p.parse::<u16>().ok());
        let mut port_holders: Vec<(String, String)> = Vec::new();
        if let Some(p) = port {
            for d in &ev.ports {
                if d.port == p
                    && this_pod(&d.pod)
                    && Some(&d.container) != container.as_ref()
                    && is_k8s_name(&d.container)
                    && !port_holders.iter().any(|(c, _)| c == &d.container)
                {
                    port_holders.push((d.container.clone(), format!("{}/{}", d.port, d.protocol)));
                }
            }
        }
        Names {
            pod,
            namespace,
            container,
            node,
            port_holders,
            port,
        }
    }

    /// `text` with every placeholder these names know filled in.
    pub fn fill(&self, text: &str, chinese: bool) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut add = |keys: &[&'static str], v: &Option<String>| {
            if let Some(v) = v {
                for k in keys {
                    pairs.push((k, v.clone()));
                }
            }
        };
        add(&["<pod>", "<pod-name>", "$podName", "{pod}"], &self.pod);
        add(
            &["<namespace>", "$namespace", "{namespace}"],
            &self.namespace,
        );
        add(
            &["<container>", "<container-name>", "$containerName"],
            &self.container,
        );
        add(
            &["<node>", "<node-name>", "$nodeName", "{node}"],
            &self.node,
        );
        pairs.push(("<port-holder>", self.port_holder_phrase(chinese)));
        let mut out = self.with_namespace_flags(text);
        for (k, v) in pairs {
            out = replace_placeholder(&out, k, &v);
        }
        out
    }

    /// A `kubectl` command in a code span that names `<pod>` without a namespace flag gets
    /// `-n NAMESPACE` after the pod, so it runs against the pod's namespace, not the current one.
    fn with_namespace_flags(&self, text: &str) -> String {
        let (Some(_), Some(ns)) = (&self.pod, &self.namespace) else {
            return text.to_string();
        };
        let parts: Vec<&str> = text.split('`').collect();
        if parts.len() < 3 {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + 16);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.push('`');
            }
            // Odd parts are inside a code span (an unpaired last backtick leaves text outside).
            let code = i % 2 == 1 && i + 1 < parts.len();
            let words: Vec<&str> = part.split(' ').collect();
            let scoped = words.iter().any(|w| {
                matches!(*w, "-n" | "-A" | "--all-namespaces") || w.starts_with("--namespace")
            });
            let at = words.iter().position(|w| *w == "<pod>");
            match (code, words.first(), scoped, at) {
                (true, Some(&"kubectl"), false, Some(at)) => {
                    let mut w: Vec<String> = words.iter().map(|x| x.to_string()).collect();
                    w.insert(at + 1, format!("-n {ns}"));
                    out.push_str(&w.join(" "));
                }
                _ => out.push_str(part),
            }
        }
        out
    }

    fn port_holder_phrase(&self, chinese: bool) -> String {
        let list = |sep: &str| {
            self.port_holders
                .iter()
                .map(|(c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join(sep)
        };
        let port = self
            .port_holders
            .first()
            .map(|(_, p)| p.clone())
            .unwrap_or_default();
        match (chinese, self.port_holders.len()) {
            (false, 0) => "another container of the pod or a process in it".into(),
            (false, 1) => format!("container {} declares port {port} too", list("")),
            (false, _) => format!("containers {} declare port {port} too", list(", ")),
            (true, 0) => "被同一 Pod 的其他容器或进程占用".into(),
            (true, _) => format!("容器 {} 也声明了端口 {port}", list("、")),
        }
    }
}

/// Replace `key` in `text` by `value`, except where it is one label of a dotted name
/// (`<service>.<namespace>.svc`).
fn replace_placeholder(text: &str, key: &str, value: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(key) {
        let before = rest[..i].chars().last();
        let after = rest[i + key.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before == Some('.')
            || after == Some('.')
                && rest[i + key.len() + 1..]
                    .starts_with(|c: char| c.is_ascii_alphanumeric() || c == '<')
        {
            out.push_str(key);
        } else {
            out.push_str(value);
        }
        rest = &rest[i + key.len()..];
    }
    out.push_str(rest);
    out
}

/// Fill the names the evidence gives into every finding's fix texts.
pub fn fill_findings(findings: &mut [Finding], ev: &Evidence, subject: Option<&Subject>) {
    for f in findings.iter_mut() {
        let names = Names::of(f, ev, subject);
        f.fix = names.fill(&f.fix, false);
        if let Some(z) = &f.fix_zh {
            f.fix_zh = Some(names.fill(z, true));
        }
        if let Some(g) = &f.generic_fix {
            f.generic_fix = Some(names.fill(g, false));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Names {
        Names {
            pod: Some("web-0".into()),
            namespace: Some("shop".into()),
            container: Some("app".into()),
            node: Some("192.168.0.112".into()),
            port_holders: vec![("side".into(), "80/TCP".into())],
            port: Some(80),
        }
    }

    #[test]
    fn known_names_replace_their_placeholders() {
        assert_eq!(
            names().fill(
                "`kubectl logs <pod> -n <namespace> -c <container> --previous`",
                false
            ),
            "`kubectl logs web-0 -n shop -c app --previous`"
        );
        assert_eq!(
            names().fill("`kubectl describe node <node>`; $podName", false),
            "`kubectl describe node 192.168.0.112`; web-0"
        );
    }

    #[test]
    fn kubectl_commands_on_the_pod_get_its_namespace() {
        assert_eq!(
            names().fill(
                "Run `kubectl get pod <pod> -o yaml` or `kubectl logs <pod> -n x`.",
                false
            ),
            "Run `kubectl get pod web-0 -n shop -o yaml` or `kubectl logs web-0 -n x`."
        );
        assert_eq!(
            names().fill("`kubectl logs <pod>` and `kubectl get pods -A`", false),
            "`kubectl logs web-0 -n shop` and `kubectl get pods -A`"
        );
    }

    #[test]
    fn unknown_names_stay_placeholders() {
        let n = Names {
            pod: Some("web-0".into()),
            ..Names::default()
        };
        assert_eq!(
            n.fill("kubectl logs <pod> -n <namespace> -c <container>", false),
            "kubectl logs web-0 -n <namespace> -c <container>"
        );
    }

    #[test]
    fn a_label_of_a_dns_name_is_not_the_pods_namespace() {
        assert_eq!(
            names().fill(
                "use `<service>.<namespace>.svc.cluster.local` in <namespace>",
                false
            ),
            "use `<service>.<namespace>.svc.cluster.local` in shop"
        );
    }

    #[test]
    fn the_port_holder_is_named_when_known_and_reads_when_not() {
        assert_eq!(
            names().fill("taken (<port-holder>)", false),
            "taken (container side declares port 80/TCP too)"
        );
        assert_eq!(
            Names::default().fill("taken (<port-holder>)", false),
            "taken (another container of the pod or a process in it)"
        );
        assert_eq!(
            names().fill("（<port-holder>）", true),
            "（容器 side 也声明了端口 80/TCP）"
        );
    }

    #[test]
    fn only_kubernetes_names_are_filled() {
        assert!(is_k8s_name("web-7d9f8c6b5-x2x4p"));
        assert!(is_k8s_name("ip-10-0-1-2.ec2.internal"));
        assert!(!is_k8s_name("web; rm -rf /"));
        assert!(!is_k8s_name("$(id)"));
        assert!(!is_k8s_name("-n"));
        assert!(!is_k8s_name(""));
    }
}
