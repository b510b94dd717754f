//! Platform detection: which managed Kubernetes the evidence comes from, and why we think so.
//!
//! Vendors document different fixes for the same failure (a NAT gateway or a pod EIP on Tencent TKE
//! Serverless, SWR permissions on Huawei CCI, the NWCD mirror in AWS China regions). A rule may carry
//! such platform fixes (`platforms:` in its file); the engine shows the detected platform's fix first
//! and the generic one otherwise. Detection only reads the evidence: node names, annotations and
//! labels, image references, event sources. Each signal adds to a platform's score and is reported as a
//! reason; the highest score wins, and a tie means "generic".

use crate::evidence::Evidence;
use crate::rules::Platform;
use regex::Regex;
use serde::Serialize;
use std::sync::OnceLock;

/// The detected platform and the signals that showed it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Detection {
    pub id: &'static str,
    pub name: &'static str,
    /// AWS China region (Beijing cn-north-1 / Ningxia cn-northwest-1), when the evidence shows it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub china_region: bool,
    pub reasons: Vec<String>,
    #[serde(skip)]
    pub platform: Option<Platform>,
}

/// A constant regex compiled the first time a text holds one of the literals every match of it
/// contains (most inputs name no cloud registry or EC2 node, and compiling was a measurable part of
/// a start-up). A text without any of `gates` cannot match, so skipping it is exact.
struct Gated {
    gates: &'static [&'static str],
    source: &'static str,
    re: OnceLock<Regex>,
}

impl Gated {
    const fn new(gates: &'static [&'static str], source: &'static str) -> Gated {
        Gated {
            gates,
            source,
            re: OnceLock::new(),
        }
    }

    /// The compiled regex, or `None` when `text` cannot match it.
    fn on(&self, text: &str) -> Option<&Regex> {
        if !self.gates.iter().any(|g| text.contains(g)) {
            return None;
        }
        // ok: the patterns below are constants, checked by the tests in this module.
        Some(
            self.re
                .get_or_init(|| Regex::new(self.source).expect("valid regex")), // ok: constant pattern
        )
    }

    fn is_match(&self, text: &str) -> bool {
        self.on(text).is_some_and(|re| re.is_match(text))
    }

    fn captures<'t>(&self, text: &'t str) -> Option<regex::Captures<'t>> {
        self.on(text).and_then(|re| re.captures(text))
    }
}

// Each gate list holds a literal of every branch of its regex.
static TCR: Gated = Gated::new(
    &[".tencentcloudcr.com", "ccr.ccs.tencentyun.com"],
    r"(?:^|/|\b)(?:[a-z0-9-]+\.tencentcloudcr\.com|ccr\.ccs\.tencentyun\.com)\b",
);
static SWR: Gated = Gated::new(
    &[".myhuaweicloud.com"],
    r"\bswr\.[a-z0-9-]+\.myhuaweicloud\.com\b",
);
static ECR: Gated = Gated::new(
    &[".dkr.ecr."],
    r"\b\d{12}\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\b",
);
static AWS_NODE: Gated = Gated::new(
    &["compute.internal"],
    r"^ip-\d+-\d+-\d+-\d+\.([a-z0-9-]+\.)?compute\.internal$",
);
static AWS_CHINA: Gated = Gated::new(
    &["cn-north", ".amazonaws.com.cn"],
    r"\bcn-(?:north|northwest)-1\b|\.amazonaws\.com\.cn\b",
);
static IMAGE_IN_TEXT: Gated = Gated::new(&["image \""], r#"image "([^"\s]+)""#);
/// The scheduler's `Successfully assigned shop/web-1 to eklet-subnet-x` names the node even when
/// only an event table was pasted.
static ASSIGNED_NODE: Gated = Gated::new(
    &["Successfully assigned "],
    r"^Successfully assigned \S+ to (\S+)",
);

#[derive(Default)]
struct Score {
    points: u32,
    reasons: Vec<String>,
}

impl Score {
    fn add(&mut self, reason: String) {
        if !self.reasons.contains(&reason) {
            self.points += 1;
            self.reasons.push(reason);
        }
    }
}

/// Look at the evidence and name the platform, if one stands out.
pub fn detect(ev: &Evidence) -> Option<Detection> {
    let mut tencent = Score::default();
    let mut huawei = Score::default();
    let mut aws = Score::default();
    let mut china = false;

    let mut nodes: Vec<&str> = Vec::new();
    nodes.extend(ev.pods.iter().filter_map(|x| x.node_name.as_deref()));
    nodes.extend(ev.node_conditions.iter().filter_map(|x| x.node.as_deref()));
    nodes.extend(ev.taints.iter().filter_map(|x| x.node.as_deref()));
    nodes.extend(
        ev.events
            .iter()
            .filter(|e| e.object_kind.as_deref() == Some("Node"))
            .filter_map(|e| e.object_name.as_deref()),
    );
    nodes.extend(ev.events.iter().filter_map(|e| {
        ASSIGNED_NODE
            .captures(&e.message)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str())
    }));
    for n in nodes {
        if n.starts_with("eklet-") {
            tencent.add(format!("node {n} is a TKE Serverless super node (eklet)"));
        }
        if n.contains("virtual-kubelet") {
            huawei.add(format!("node {n} is a virtual-kubelet node (CCI)"));
        }
        if let Some(c) = AWS_NODE.captures(n) {
            aws.add(format!("node {n} is named like an EC2 instance"));
            if c.get(1).is_some_and(|r| AWS_CHINA.is_match(r.as_str())) {
                china = true;
            }
        }
    }

    let mut images: Vec<String> = ev
        .containers
        .iter()
        .filter_map(|c| c.image.clone())
        .collect();
    for e in &ev.events {
        for c in IMAGE_IN_TEXT
            .on(&e.message)
            .into_iter()
            .flat_map(|re| re.captures_iter(&e.message))
        {
            images.push(c[1].to_string());
        }
    }
    for img in &images {
        if TCR.is_match(img) {
            tencent.add(format!("image {img} is in Tencent Container Registry"));
        }
        if SWR.is_match(img) {
            huawei.add(format!("image {img} is in Huawei SWR"));
        }
        if let Some(c) = ECR.captures(img) {
            aws.add(format!("image {img} is in Amazon ECR"));
            if c.get(2).is_some() || c.get(1).is_some_and(|r| AWS_CHINA.is_match(r.as_str())) {
                china = true;
            }
        }
    }

    for pod in &ev.pods {
        if let Some((k, _)) = pod
            .annotations
            .iter()
            .find(|(k, _)| k.starts_with("eks.tke.cloud.tencent.com/"))
        {
            tencent.add(format!("pod annotation {k}"));
        }
        if let Some((k, _)) = pod
            .labels
            .iter()
            .chain(pod.annotations.iter())
            .find(|(k, _)| k.starts_with("eks.amazonaws.com/"))
        {
            aws.add(format!("pod label or annotation {k}"));
        }
        if let Some(ns) = pod
            .namespace
            .as_deref()
            .filter(|ns| ns.starts_with("cce-burst-"))
        {
            huawei.add(format!("namespace {ns} is a CCE burst-to-CCI namespace"));
        }
    }
    for e in &ev.events {
        if e.source.as_deref() == Some("eklet") {
            tencent.add("events reported by eklet".to_string());
        }
    }

    let mut ranked = [
        (Platform::TencentEks, tencent),
        (Platform::HuaweiCci, huawei),
        (Platform::AwsEks, aws),
    ];
    ranked.sort_by_key(|r| std::cmp::Reverse(r.1.points));
    let [(best, score), (_, second), _] = ranked;
    if score.points == 0 || score.points == second.points {
        return None;
    }
    Some(Detection {
        id: best.id(),
        name: best.name(),
        china_region: best == Platform::AwsEks && china,
        reasons: score.reasons,
        platform: Some(best),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::{ContainerStatus, PodInfo, Provenance};

    fn pod(node: &str, image: &str, ns: &str) -> Evidence {
        let mut ev = Evidence::new();
        ev.pods.push(PodInfo {
            name: Some("web-1".into()),
            namespace: Some(ns.into()),
            node_name: Some(node.into()),
            ..Default::default()
        });
        ev.containers.push(ContainerStatus {
probes: Default::default(),
            pod: None,
            name: "web".into(),
            kind: Default::default(),
            image: Some(image.into()),
            ready: None,
            restart_count: None,
            state: None,
            last_state: None,
            provenance: Provenance::default(),
        });
        ev
    }

    #[test]
    fn tencent_from_eklet_node_and_tcr_image() {
        let d = detect(&pod(
            "eklet-subnet-bok73g4c-7f8d9",
            "shop-prod.tencentcloudcr.com/shop/web:1.4.2",
            "shop",
        ))
        .expect("detected");
        assert_eq!(d.id, "tencent-eks");
        assert_eq!(d.reasons.len(), 2, "{:?}", d.reasons);
    }

    #[test]
    fn huawei_from_swr_image() {
        let d = detect(&pod(
            "10.1.2.3",
            "swr.cn-north-4.myhuaweicloud.com/shop/web:2.0",
            "default",
        ))
        .expect("detected");
        assert_eq!(d.id, "huawei-cci");
    }

    #[test]
    fn aws_china_region_from_node_and_ecr() {
        let d = detect(&pod(
            "ip-10-0-1-23.cn-northwest-1.compute.internal",
            "123456789012.dkr.ecr.cn-northwest-1.amazonaws.com.cn/web:1",
            "default",
        ))
        .expect("detected");
        assert_eq!(d.id, "aws-eks");
        assert!(d.china_region);
        let d = detect(&pod("ip-10-0-1-23.ec2.internal", "nginx:1.25", "default"));
        assert_eq!(d, None, "ec2.internal alone is not compute.internal");
        let d = detect(&pod(
            "ip-10-0-1-23.us-west-2.compute.internal",
            "nginx:1.25",
            "default",
        ))
        .expect("detected");
        assert!(!d.china_region);
    }

    #[test]
    fn node_named_in_a_scheduled_event_counts() {
        let mut ev = Evidence::new();
        ev.events.push(crate::evidence::Event {
            reason: Some("Scheduled".into()),
            message:
                "Successfully assigned shop/web-1 to ip-10-0-1-23.cn-northwest-1.compute.internal"
                    .into(),
            ..Default::default()
        });
        let d = detect(&ev).expect("detected");
        assert_eq!(d.id, "aws-eks");
        assert!(d.china_region);
    }

    #[test]
    fn generic_cluster_detects_nothing_and_ties_are_generic() {
        assert_eq!(detect(&pod("node-1", "nginx:1.25", "default")), None);
        assert_eq!(
            detect(&pod(
                "eklet-subnet-x",
                "swr.cn-north-4.myhuaweicloud.com/a/b:1",
                "default"
            )),
            None
        );
    }
}
