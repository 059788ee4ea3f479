//! A [`Report`] as text (like a test runner), JSON, or JUnit XML.

use crate::{ConstraintResult, Outcome, Report, Severity};

/// The marker and label of a result: `✘ FAIL`, `! WARN`, `! PENDING`, `- UNCHECKED` (not
/// evaluated), `- N/A` (not applicable), `✔ PASS`.
fn marker(r: &ConstraintResult) -> (&'static str, &'static str) {
    match (r.outcome, r.severity) {
        (Outcome::Violated, Severity::Fail) => ("✘", "FAIL"),
        (Outcome::Violated, Severity::Warn) => ("!", "WARN"),
        (Outcome::Pending, _) => ("!", "PENDING"),
        (Outcome::NotEvaluated, _) => ("-", "UNCHECKED"),
        (Outcome::NotApplicable, _) => ("-", "N/A"),
        (Outcome::Pass, _) => ("✔", "PASS"),
    }
}

/// The readable report: one line per constraint, most severe first, each followed by its
/// explanation, then the tally `N passed, M failed, K warnings (…)`.
pub fn text(report: &Report, color: bool) -> String {
    let paint = |code: &str, s: &str| {
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    };
    let mut out = format!(
        "powermap check: {} ({} constraints, today {})\n\n",
        report.policy,
        report.results.len(),
        report.today
    );
    for r in report.by_severity() {
        let (mark, label) = marker(r);
        let code = match mark {
            "✘" => "31",
            "!" => "33",
            "✔" => "32",
            _ => "2",
        };
        out.push_str(&format!(
            "{} {}  [{}] {}\n",
            paint(code, &format!("{mark} {label:<9}")),
            r.id,
            r.severity.id(),
            r.description
        ));
        if r.outcome != Outcome::Pass || r.measurements.len() > 1 {
            out.push_str(&format!("      limit: {}\n", r.limit));
        }
        out.push_str(&format!("      {}\n", r.explanation));
    }
    let t = &report.tally;
    out.push_str(&format!(
        "\n{} passed, {} failed, {} warnings ({} pending, {} not evaluated, {} not applicable)\n",
        t.passed, t.failed, t.warnings, t.pending, t.not_evaluated, t.not_applicable
    ));
    out
}

/// The report as pretty JSON (the [`Report`] structure; outcomes are snake_case ids).
pub fn json(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report).expect("a report always serializes");
    s.push('\n');
    s
}

/// The report as JUnit XML: one `<testcase>` per constraint.
///
/// Violated `fail` constraints are `<failure>`s; pending, not evaluated and not applicable
/// are `<skipped>`; violated `warn` constraints pass with the warning in `<system-out>`, so
/// CI stays green but shows it. Every message carries the explanation.
pub fn junit(report: &Report) -> String {
    let t = &report.tally;
    let skipped = t.pending + t.not_evaluated + t.not_applicable;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"powermap check\" tests=\"{n}\" failures=\"{f}\" errors=\"0\" skipped=\"{skipped}\">\n  <testsuite name=\"{name}\" tests=\"{n}\" failures=\"{f}\" errors=\"0\" skipped=\"{skipped}\" timestamp=\"{today}T00:00:00\">\n",
        n = report.results.len(),
        f = t.failed,
        name = xml(&report.policy),
        today = report.today,
    ));
    out.push_str(&format!(
        "    <properties>\n      <property name=\"policy_file\" value=\"{}\"/>\n      <property name=\"today\" value=\"{}\"/>\n    </properties>\n",
        xml(&report.file),
        report.today
    ));
    for r in &report.results {
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\" file=\"{}\" line=\"{}\">\n",
            xml(&format!("powermap.{}", r.kind)),
            xml(&format!("{}: {}", r.id, r.description)),
            xml(&report.file),
            r.line
        ));
        let message = format!("{} — {}", r.limit, r.explanation);
        match (r.outcome, r.severity) {
            (Outcome::Violated, Severity::Fail) => out.push_str(&format!(
                "      <failure message=\"{}\" type=\"constraint_violated\">{}</failure>\n",
                xml(&message),
                xml_text(&detail(r))
            )),
            (Outcome::Violated, Severity::Warn) => out.push_str(&format!(
                "      <system-out>warning: {}</system-out>\n",
                xml_text(&detail(r))
            )),
            (Outcome::Pass, _) => out.push_str(&format!(
                "      <system-out>{}</system-out>\n",
                xml(&r.explanation)
            )),
            (o, _) => out.push_str(&format!(
                "      <skipped message=\"{}: {}\"/>\n",
                o.id(),
                xml(&message)
            )),
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn detail(r: &ConstraintResult) -> String {
    format!(
        "constraint: {} ({}, severity {})\nlimit: {}\n{}\n",
        r.id,
        r.kind,
        r.severity.id(),
        r.limit,
        r.explanation
    )
}

/// Escapes element content: as [`xml`], but line breaks stay readable.
fn xml_text(s: &str) -> String {
    s.split('\n').map(xml).collect::<Vec<_>>().join("\n")
}

/// Escapes text for XML attributes and content; drops characters XML 1.0 forbids.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' | '\r' => out.push_str(&format!("&#{};", c as u32)),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_drops_control_characters() {
        assert_eq!(
            xml("a<b & \"c\" 'd'>\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;"
        );
    }
}
