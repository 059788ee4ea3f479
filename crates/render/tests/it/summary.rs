//! Snapshot of the terminal summary.

use powermap_model::Boundary;
use powermap_render::summary::{render, SummaryOptions};

use crate::fixture;
use crate::golden::check_golden;

fn opts() -> SummaryOptions {
    SummaryOptions {
        findings: vec![
            "Foundry USA alone reaches 1/3 of blocks".into(),
            "top share rose 10.6 points in 90 days".into(),
        ],
        top: 5,
        ..SummaryOptions::default()
    }
}

#[test]
fn summary_snapshot() {
    let text = render(&fixture::both(), &opts());
    check_golden("small", "summary.txt", text.as_bytes());
    assert!(!text.contains('\x1b'), "no ANSI without color");
    // Findings come first, in the order given.
    assert!(text.starts_with("Findings (most severe first)\n  ! Foundry USA"));
}

#[test]
fn coalitions_follow_boundary_rule() {
    let text = render(&[fixture::bitcoin()], &SummaryOptions::default());
    // Latest window: Foundry 460/1080 = 42.59% ≥ 1/3 alone.
    assert!(text.contains("≥ 1/3   1 entity"), "{text}");
    let gt = render(
        &[fixture::bitcoin()],
        &SummaryOptions {
            boundary: Boundary::Greater,
            ..SummaryOptions::default()
        },
    );
    assert!(gt.contains("> 1/2"), "{gt}");
}

#[test]
fn color_uses_minimal_ansi() {
    let text = render(
        &[fixture::bitcoin()],
        &SummaryOptions {
            color: true,
            ..opts()
        },
    );
    assert!(text.contains("\x1b[1m"));
    assert!(text.contains("\x1b[0m"));
}
