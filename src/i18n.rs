//! The fixed words of the terminal report in English and Chinese (`--lang`).
//!
//! Only the report's own strings live here (headline, labels, column names, footers). Rule texts
//! carry their own Chinese (`fix_zh`); quoted evidence is never translated. Machine formats (JSON,
//! SARIF, JUnit...) stay English: their consumers match on them.

use crate::rules::Severity;

/// The fixed strings of one language.
#[derive(Debug)]
pub struct Texts {
    pub zh: bool,
    pub pasted_input: &'static str,
    pub no_failure: &'static str,
    pub platform: &'static str,
    pub china_region: &'static str,
    pub evidence: &'static str,
    pub fix: &'static str,
    pub see: &'static str,
    pub nothing_matched: &'static str,
    pub next_steps: &'static str,
    pub not_checked: &'static str,
    pub nothing_recognised: &'static str,
    pub node_context: &'static str,
    pub symptom_unexplained: &'static str,
    pub if_it_comes_back: &'static str,
    pub for_pods_it_affects: &'static str,
    pub happened_earlier: &'static str,
}

pub static EN: Texts = Texts {
    zh: false,
    pasted_input: "Pasted input",
    no_failure: "no known failure found",
    platform: "Platform",
    china_region: ", China region",
    evidence: "Evidence",
    fix: "Fix",
    see: "See",
    nothing_matched: "None of the rules matched the evidence. Paste more of it (the Events of \
        `kubectl describe pod`, `kubectl logs --previous`, the node's YAML), or add a rule with \
        --rules DIR.",
    next_steps: "Next steps (their output would decide it):",
    not_checked: "Not checked:",
    nothing_recognised: "nothing recognised",
    node_context: "node context: not this pod's cause",
    symptom_unexplained: "symptom; no known cause matched",
    if_it_comes_back: "If it comes back: ",
    for_pods_it_affects: "For pods it affects: ",
    happened_earlier: "happened earlier",
};

pub static ZH: Texts = Texts {
    zh: true,
    pasted_input: "粘贴的输入",
    no_failure: "未发现已知故障",
    platform: "平台",
    china_region: "，中国区域",
    evidence: "证据",
    fix: "修复方法",
    see: "参考",
    nothing_matched: "没有规则与这些证据匹配。请提供更多内容（`kubectl describe pod` 的 Events、\
        `kubectl logs --previous`、节点的 YAML），或用 --rules DIR 添加规则。",
    next_steps: "下一步（这些命令的输出可以判定原因）：",
    not_checked: "未检查：",
    nothing_recognised: "未识别出任何内容",
    node_context: "节点背景：不是该 Pod 的原因",
    symptom_unexplained: "症状；未匹配到已知原因",
    if_it_comes_back: "如果再次出现：",
    for_pods_it_affects: "对受其影响的 Pod：",
    happened_earlier: "此前发生过",
};

impl Texts {
    /// The strings for `--lang zh` (`chinese`) or English.
    pub fn of(chinese: bool) -> &'static Texts {
        if chinese {
            &ZH
        } else {
            &EN
        }
    }

    pub fn severity(&self, s: Severity) -> &'static str {
        match (self.zh, s) {
            (false, _) => s.as_str(),
            (true, Severity::Critical) => "严重",
            (true, Severity::Warning) => "警告",
            (true, Severity::Info) => "提示",
        }
    }

    /// `3 causes` / `3 个原因`.
    pub fn count(&self, n: usize, en: &str, zh: &str) -> String {
        if self.zh {
            format!("{n} 个{zh}")
        } else {
            crate::report::plural(n, en)
        }
    }

    /// `(1 cause, 2 symptoms)`.
    pub fn causes_symptoms(&self, causes: usize, symptoms: usize) -> String {
        if self.zh {
            format!("（{} 个原因，{} 个症状）", causes, symptoms)
        } else {
            format!(
                "({}, {})",
                crate::report::plural(causes, "cause"),
                crate::report::plural(symptoms, "symptom")
            )
        }
    }

    /// The headline when every finding is history or unrelated context.
    pub fn no_current_failure(&self, past: usize) -> String {
        if self.zh {
            format!("当前没有故障（下方 {past} 项发现：此前已恢复，或只与节点有关）")
        } else {
            format!(
                "no current failure found ({} below: resolved earlier, or about the node only)",
                crate::report::plural(past, "finding")
            )
        }
    }

    /// `(+3 more in -o json)`.
    pub fn more_in_json(&self, n: usize) -> String {
        if self.zh {
            format!("（另有 {n} 条，见 -o json）")
        } else {
            format!("(+{n} more in -o json)")
        }
    }

    pub fn history(&self, when: Option<&str>) -> String {
        match (self.zh, when) {
            (false, Some(w)) => format!("history: last seen {w}, resolved since"),
            (false, None) => format!("history: {}, resolved since", self.happened_earlier),
            (true, Some(w)) => format!("历史：最后出现于 {w}，此后已恢复"),
            (true, None) => format!("历史：{}，此后已恢复", self.happened_earlier),
        }
    }

    pub fn explained_by(&self, ranks: &str) -> String {
        if self.zh {
            format!("症状，由 {ranks} 解释")
        } else {
            format!("symptom, explained by {ranks}")
        }
    }

    /// The card of a symptom a current cause explains: why its own fix is not repeated.
    pub fn fix_that_first(&self, ranks: &str, id: &str) -> String {
        if self.zh {
            format!(
                "症状，由 {ranks} 解释：先按 {ranks} 修复。它自己的检查清单：\
                 `kubectl-diagnose rules show {id}`"
            )
        } else {
            format!(
                "Symptom, explained by {ranks}: fix that first. Its own checklist: \
                 `kubectl-diagnose rules show {id}`"
            )
        }
    }

    pub fn over(&self, by: &str) -> String {
        if self.zh {
            format!("已结束：{by}。\n")
        } else {
            format!("Over: {by}.\n")
        }
    }

    pub fn not_this_pods_cause(&self, reason: &str) -> String {
        if self.zh {
            format!("不是该 Pod 的原因：{reason}。")
        } else {
            format!("Not this pod's cause: {reason}. ")
        }
    }

    pub fn platform_fix(&self, p: &str) -> String {
        if self.zh {
            format!("（{p} 平台的修复方法；-o json 中也有通用方法）")
        } else {
            format!("(the {p} fix; -o json also has the generic one)")
        }
    }

    pub fn read_input(&self, name: &str, lines: usize, what: &str) -> String {
        if self.zh {
            format!("已读取 {name}：{lines} 行（{what}）")
        } else {
            format!(
                "Read {name}: {} ({what})",
                crate::report::plural(lines, "line")
            )
        }
    }

    pub fn read_from(&self, c: &crate::report::ClusterInfo) -> String {
        let (context, server, ns, requests) = (&c.context, &c.server, &c.namespace, c.requests);
        if self.zh {
            let repeated = match c.repeated_logs {
                0 => String::new(),
                n => format!("（{n} 个当前日志与上一次相同，只扫描一次）"),
            };
            format!("读取自上下文 {context}（{server}），命名空间 {ns}：{requests} 个 GET 请求{repeated}")
        } else {
            format!(
                "Read from context {context} ({server}), namespace {ns}: {}",
                c.budget()
            )
        }
    }

    /// The colon after a label: `：` in Chinese.
    pub fn colon(&self) -> &'static str {
        if self.zh {
            "："
        } else {
            ":"
        }
    }

    pub fn from(&self) -> &'static str {
        if self.zh {
            "依据"
        } else {
            "from"
        }
    }
}
