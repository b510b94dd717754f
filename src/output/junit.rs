//! JUnit XML for CI test reporters: one test case per pod, failing at `--fail-on`.

use super::*;

// ---------------------------------------------------------------------------------------------
// JUnit XML

pub(super) fn pod_properties(d: &Diagnosis) -> Vec<(String, String)> {
    let mut p = vec![("subject".to_string(), subject_label(d))];
    if let Some(pl) = &d.platform {
        p.push(("platform".into(), pl.id.to_string()));
    }
    p.push(("notChecked".into(), d.not_checked.len().to_string()));
    p
}

pub(super) fn sweep_properties(r: &SweepReport) -> Vec<(String, String)> {
    vec![
        ("scope".into(), scope_label(&r.scope)),
        ("totalPods".into(), r.total_pods.to_string()),
        ("healthyPods".into(), r.healthy_pods.to_string()),
        ("unhealthyPods".into(), r.pods.len().to_string()),
        ("notChecked".into(), sweep_not_checked(r).len().to_string()),
    ]
}

/// Make text representable in XML 1.0: control characters and bidi overrides become visible
/// escapes (as for a terminal); the two non-characters XML forbids are escaped too.
fn xml_safe(s: &str) -> String {
    escape_terminal(s)
        .chars()
        .map(|c| match c {
            '\u{fffe}' | '\u{ffff}' => format!("\\u{{{:x}}}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

/// A finding as plain text: rank, severity, title, evidence lines, fix, references.
fn finding_text(f: &Finding, t: &TableOptions) -> String {
    let mut s = format!("{}. [{}] {} [{}]", f.rank, f.severity, f.title, f.id);
    if f.kind == RuleKind::Symptom && !f.explained_by.is_empty() {
        s.push_str(&format!(" (symptom of {})", f.explained_by.join(", ")));
    }
    s.push('\n');
    s.push_str(&context_text(f));
    let (shown, hidden) = shown_evidence(f, t.max_evidence);
    for e in shown {
        s.push_str(&format!(
            "   evidence: \"{}\" ({}, {})\n",
            truncate(&e.text, 500),
            e.label,
            e.provenance.location()
        ));
    }
    if hidden > 0 {
        s.push_str(&format!("   (+{hidden} more evidence items in -o json)\n"));
    }
    s.push_str("   fix: ");
    s.push_str(&fix_text(f, t).trim().replace('\n', "\n        "));
    s.push('\n');
    let refs: Vec<String> = f.references.iter().map(|r| r.to_string()).collect();
    if !refs.is_empty() {
        s.push_str(&format!("   see: {}\n", refs.join("; ")));
    }
    s
}

fn next_steps_text(steps: &[NextStep]) -> String {
    if steps.is_empty() {
        return String::new();
    }
    let mut s = String::from("Next steps:\n");
    for n in steps {
        s.push_str(&format!("- {}\n  {}\n", n.command, n.why));
    }
    s
}

fn not_checked_text(nc: &[NotChecked]) -> String {
    let mut s = String::from("Not checked:\n");
    for n in nc {
        s.push_str(&format!("- {}: {}\n", n.what, n.reason));
    }
    s
}

/// `not_checked` goes to the suite's `<system-out>`; with `per_case`, each pod's own items also go
/// to its test case (a sweep), so a partial read shows where it happened.
pub(super) fn junit(
    pods: &[&Diagnosis],
    props: &[(String, String)],
    not_checked: &[NotChecked],
    per_case: bool,
    t: &TableOptions,
    fail_on: Option<Severity>,
) -> String {
    let failures = pods
        .iter()
        .filter(|d| fails(d, fail_on))
        .count()
        .to_string();
    let tests = pods.len().to_string();
    let counts = [
        ("tests", tests.as_str()),
        ("failures", failures.as_str()),
        ("errors", "0"),
        ("skipped", "0"),
    ];
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written = (|| -> std::io::Result<()> {
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
        w.create_element("testsuites")
            .with_attribute(("name", TOOL_NAME))
            .with_attributes(counts)
            .write_inner_content(|w| {
                w.create_element("testsuite")
                    .with_attribute(("name", TOOL_NAME))
                    .with_attributes(counts)
                    .write_inner_content(|w| {
                        if !props.is_empty() {
                            w.create_element("properties").write_inner_content(|w| {
                                for (k, v) in props {
                                    w.create_element("property")
                                        .with_attribute(("name", k.as_str()))
                                        .with_attribute(("value", xml_safe(&one_line(v)).as_str()))
                                        .write_empty()?;
                                }
                                Ok(())
                            })?;
                        }
                        for d in pods {
                            junit_case(w, d, per_case, t, fail_on)?;
                        }
                        if !not_checked.is_empty() {
                            w.create_element("system-out")
                                .write_text_content(BytesText::new(&xml_safe(
                                    &not_checked_text(not_checked),
                                )))?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })();
    match written {
        Ok(()) => {
            let mut s = String::from_utf8_lossy(&w.into_inner()).into_owned();
            s.push('\n');
            s
        }
        // Writing into memory does not fail; keep the output well-formed if it somehow does.
        Err(e) => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"{TOOL_NAME}\" \
             tests=\"0\" failures=\"0\" errors=\"1\"><!-- {} --></testsuites>\n",
            e.to_string().replace("--", "- -")
        ),
    }
}

fn junit_case(
    w: &mut Writer<Vec<u8>>,
    d: &Diagnosis,
    per_case: bool,
    t: &TableOptions,
    fail_on: Option<Severity>,
) -> std::io::Result<()> {
    let (classname, name) = match &d.subject {
        Some(Subject {
            name: Some(n),
            namespace,
            ..
        }) => (namespace.clone().unwrap_or_else(|| "-".into()), n.clone()),
        _ => ("-".to_string(), pod_ref(d)),
    };
    let (failing, rest): (Vec<&Finding>, Vec<&Finding>) = d
        .findings
        .iter()
        .partition(|f| fail_on.is_some_and(|th| f.severity >= th));
    let classname = xml_safe(&one_line(&classname));
    let name = xml_safe(&one_line(&name));
    w.create_element("testcase")
        .with_attribute(("classname", classname.as_str()))
        .with_attribute(("name", name.as_str()))
        .write_inner_content(|w| {
            if let Some(top) = failing.first() {
                let text: String = failing.iter().map(|f| finding_text(f, t)).collect();
                let message = xml_safe(&one_line(&top.title));
                w.create_element("failure")
                    .with_attribute(("message", message.as_str()))
                    .with_attribute(("type", top.id.as_str()))
                    .write_text_content(BytesText::new(&xml_safe(&text)))?;
            }
            let mut out: String = rest.iter().map(|f| finding_text(f, t)).collect();
            if d.findings.is_empty() {
                out.push_str("No known failure found.\n");
            }
            if !d.next_steps.is_empty() {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&next_steps_text(&d.next_steps));
            }
            if per_case && !d.not_checked.is_empty() {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(&not_checked_text(&d.not_checked));
            }
            if !out.is_empty() {
                w.create_element("system-out")
                    .write_text_content(BytesText::new(&xml_safe(&out)))?;
            }
            Ok(())
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_text_has_no_forbidden_characters() {
        assert_eq!(xml_safe("a\x1bb\u{ffff}\n"), "a\\x1bb\\u{ffff}\n");
    }
}
