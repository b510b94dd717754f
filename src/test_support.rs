//! Constructors shared by unit tests.

use crate::engine::Finding;
use crate::rules::{RuleKind, Severity};
use std::collections::BTreeMap;

/// A finding of rule `id` with nothing but its identity, severity and kind filled in (title = id,
/// category `runtime`, rank 0, no evidence): tests set the fields they exercise.
pub(crate) fn finding(id: &str, severity: Severity, kind: RuleKind) -> Finding {
    Finding {
        rank: 0,
        id: id.into(),
        title: id.into(),
        severity,
        category: "runtime".into(),
        kind,
        detects: Default::default(),
        why: Default::default(),
        fix: String::new(),
        fix_zh: None,
        fix_platform: None,
        generic_fix: None,
        captures: BTreeMap::new(),
        evidence: vec![],
        evidence_omitted: 0,
        explains: vec![],
        explained_by: vec![],
        corroboration: 1,
        references: vec![],
        history: None,
        unrelated: None,
        rule_explains: vec![],
        items: vec![],
    }
}
