//! kubectl-diagnose: tells a Kubernetes user why a pod is failing and how to fix it.
//!
//! The pipeline: sources (`parse` for pasted text) produce [`evidence::Evidence`]; the
//! [`engine`] matches it against the declarative [`rules`]; findings are ranked cause-before-symptom
//! ([`rank`]) and rendered by [`report`].

pub mod evidence;
pub mod parse;
pub mod rules;
