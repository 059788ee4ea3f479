//! Window specifications: estimation window, step, alignment and timeframe.

use chrono::{Datelike, Duration, NaiveDate};

use crate::WindowError;
use powermap_model::Window;

/// Which end of the timeframe day windows are anchored to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Alignment {
    /// EDI's rule: the first window starts on the first day; trailing days that do not fill
    /// a window are dropped.
    #[default]
    Start,
    /// The last window ends on the last day (what a monitor wants: the newest data is in it);
    /// leading days that do not fill a window are dropped.
    End,
}

impl Alignment {
    /// Stable id: `start` or `end`.
    pub fn id(self) -> &'static str {
        match self {
            Alignment::Start => "start",
            Alignment::End => "end",
        }
    }
}

impl std::fmt::Display for Alignment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

impl std::str::FromStr for Alignment {
    type Err = String;
    /// `start` or `end`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "start" => Ok(Alignment::Start),
            "end" => Ok(Alignment::End),
            other => Err(format!(
                "unknown alignment `{other}` (expected `start` or `end`)"
            )),
        }
    }
}

/// How to cut a series of observations into windows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WindowSpec {
    /// Windows of `estimation` whole UTC days, one every `step` days, both bounds inclusive.
    /// `start`/`end` default to the first and last day with data.
    Days {
        /// Window length in days.
        estimation: u32,
        /// Distance between window starts in days.
        step: u32,
        /// First day of the timeframe.
        start: Option<NaiveDate>,
        /// Last day of the timeframe.
        end: Option<NaiveDate>,
        /// Which end of the timeframe the windows are anchored to.
        align: Alignment,
    },
    /// One window spanning the whole timeframe (EDI's empty estimation window and frequency).
    Snapshot {
        /// First day of the timeframe.
        start: Option<NaiveDate>,
        /// Last day of the timeframe.
        end: Option<NaiveDate>,
    },
    /// Calendar months fully inside the timeframe.
    Months {
        /// First day of the timeframe.
        start: Option<NaiveDate>,
        /// Last day of the timeframe.
        end: Option<NaiveDate>,
    },
    /// Windows of `size` consecutive blocks by height, one every `step` blocks, anchored so the
    /// last window ends at the newest block.
    Blocks {
        /// Blocks per window.
        size: u64,
        /// Distance between window starts in blocks.
        step: u64,
    },
}

impl WindowSpec {
    /// Day windows over the whole data range, anchored at the start (EDI's semantics).
    pub fn days(estimation: u32, step: u32) -> Self {
        WindowSpec::Days {
            estimation,
            step,
            start: None,
            end: None,
            align: Alignment::Start,
        }
    }

    /// This spec with day windows anchored at `align` (other specs have no alignment).
    pub fn aligned(mut self, alignment: Alignment) -> Self {
        if let WindowSpec::Days { align, .. } = &mut self {
            *align = alignment;
        }
        self
    }

    /// A short human description, e.g. `30-day windows every 30 days`.
    pub fn describe(&self) -> String {
        match self {
            WindowSpec::Days {
                estimation,
                step,
                align,
                ..
            } => format!(
                "{estimation}-day windows every {step} day{}{}",
                if *step == 1 { "" } else { "s" },
                if *align == Alignment::End {
                    ", aligned to the last day"
                } else {
                    ""
                }
            ),
            WindowSpec::Snapshot { .. } => "one window over the whole timeframe".into(),
            WindowSpec::Months { .. } => "calendar months".into(),
            WindowSpec::Blocks { size, step } => {
                format!("{size}-block windows every {step} blocks")
            }
        }
    }

    /// Checks the parameters.
    pub fn validate(&self) -> Result<(), WindowError> {
        match self {
            WindowSpec::Days {
                estimation, step, ..
            } => {
                if *estimation == 0 {
                    return Err(WindowError::Zero {
                        what: "estimation window",
                    });
                }
                if *step == 0 {
                    return Err(WindowError::Zero { what: "step" });
                }
            }
            WindowSpec::Blocks { size, step } => {
                if *size == 0 {
                    return Err(WindowError::Zero {
                        what: "block window size",
                    });
                }
                if *step == 0 {
                    return Err(WindowError::Zero { what: "step" });
                }
            }
            _ => {}
        }
        if let (Some(s), Some(e)) = self.timeframe() {
            if s > e {
                return Err(WindowError::Inverted { start: s, end: e });
            }
        }
        Ok(())
    }

    /// The timeframe when both ends are given explicitly.
    pub fn explicit_timeframe(&self) -> Option<(NaiveDate, NaiveDate)> {
        match self.timeframe() {
            (Some(s), Some(e)) => Some((s, e)),
            _ => None,
        }
    }

    fn timeframe(&self) -> (Option<NaiveDate>, Option<NaiveDate>) {
        match self {
            WindowSpec::Days { start, end, .. }
            | WindowSpec::Snapshot { start, end }
            | WindowSpec::Months { start, end } => (*start, *end),
            WindowSpec::Blocks { .. } => (None, None),
        }
    }

    /// The day windows of this spec for data spanning `first..=last` (not for block windows).
    pub fn day_windows(&self, first: NaiveDate, last: NaiveDate) -> Vec<Window> {
        let (s, e) = self.timeframe();
        let start = s.unwrap_or(first);
        let end = e.unwrap_or(last);
        if start > end {
            return Vec::new();
        }
        match self {
            WindowSpec::Days {
                estimation,
                step,
                align,
                ..
            } => {
                let len = Duration::days(i64::from(*estimation) - 1);
                let step = Duration::days(i64::from(*step));
                let mut out = Vec::new();
                match align {
                    // Checked: a spec may ask for more days than chrono can count
                    // (`4294967295d`); that ends the series instead of panicking.
                    Alignment::Start => {
                        let mut ws = Some(start);
                        while let Some((s, e)) = ws.and_then(|s| {
                            s.checked_add_signed(len)
                                .filter(|e| *e <= end)
                                .map(|e| (s, e))
                        }) {
                            out.push(Window::days(s, e));
                            ws = s.checked_add_signed(step);
                        }
                    }
                    Alignment::End => {
                        let mut we = Some(end);
                        while let Some((s, e)) = we.and_then(|e| {
                            e.checked_sub_signed(len)
                                .filter(|s| *s >= start)
                                .map(|s| (s, e))
                        }) {
                            out.push(Window::days(s, e));
                            we = e.checked_sub_signed(step);
                        }
                        out.reverse();
                    }
                }
                out
            }
            WindowSpec::Snapshot { .. } => vec![Window::days(start, end)],
            WindowSpec::Months { .. } => {
                let mut out = Vec::new();
                let mut m = NaiveDate::from_ymd_opt(start.year(), start.month(), 1)
                    .expect("first of month exists");
                while m <= end {
                    let next = next_month(m);
                    let last_day = next - Duration::days(1);
                    if m >= start && last_day <= end {
                        out.push(Window::days(m, last_day));
                    }
                    m = next;
                }
                out
            }
            WindowSpec::Blocks { .. } => Vec::new(),
        }
    }
}

fn next_month(d: NaiveDate) -> NaiveDate {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1).expect("first of month exists")
}

impl std::str::FromStr for WindowSpec {
    type Err = WindowError;

    /// `30d` (30-day windows stepping 30 days), `30d/1d` (stepping daily), `1000blocks`,
    /// `1000blocks/100`, `month`, `all` (one snapshot window).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || WindowError::BadSpec(s.to_string());
        let t = s.trim();
        match t {
            "month" | "months" | "monthly" => {
                return Ok(WindowSpec::Months {
                    start: None,
                    end: None,
                })
            }
            "all" | "snapshot" => {
                return Ok(WindowSpec::Snapshot {
                    start: None,
                    end: None,
                })
            }
            _ => {}
        }
        let (size, step) = match t.split_once('/') {
            Some((a, b)) => (a.trim(), Some(b.trim())),
            None => (t, None),
        };
        if let Some(n) = size.strip_suffix("blocks") {
            let size: u64 = n.trim().parse().map_err(|_| bad())?;
            let step = match step {
                Some(st) => st
                    .trim_end_matches("blocks")
                    .trim()
                    .parse()
                    .map_err(|_| bad())?,
                None => size,
            };
            let spec = WindowSpec::Blocks { size, step };
            spec.validate()?;
            return Ok(spec);
        }
        let days = |x: &str| -> Result<u32, WindowError> {
            x.strip_suffix('d')
                .unwrap_or(x)
                .trim()
                .parse()
                .map_err(|_| bad())
        };
        let estimation = days(size)?;
        let step = match step {
            Some(st) => days(st)?,
            None => estimation,
        };
        let spec = WindowSpec::days(estimation, step);
        spec.validate()?;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn edi_w30_f30_has_87_windows() {
        let spec = WindowSpec::Days {
            estimation: 30,
            step: 30,
            start: Some(d("2018-01-01")),
            end: Some(d("2025-03-01")),
            align: Alignment::Start,
        };
        let w = spec.day_windows(d("2000-01-01"), d("2030-01-01"));
        assert_eq!(w.len(), 87);
        assert_eq!(w[0].representative, d("2018-01-15"));
        assert_eq!(w[86].representative, d("2025-02-07"));
    }

    #[test]
    fn edi_w7_f3_has_49_windows() {
        let spec = WindowSpec::Days {
            estimation: 7,
            step: 3,
            start: Some(d("2020-09-01")),
            end: Some(d("2021-01-31")),
            align: Alignment::Start,
        };
        let w = spec.day_windows(d("2000-01-01"), d("2030-01-01"));
        assert_eq!(w.len(), 49);
        assert_eq!(w[0].representative, d("2020-09-04"));
        assert_eq!(w[48].representative, d("2021-01-26"));
    }

    #[test]
    fn end_alignment_ends_on_last_day() {
        let w = WindowSpec::Days {
            estimation: 30,
            step: 30,
            start: None,
            end: None,
            align: Alignment::End,
        }
        .day_windows(d("2024-01-01"), d("2024-03-15"));
        assert_eq!(w.last().unwrap().end, d("2024-03-15"));
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn months_drop_partial_edges() {
        let w = WindowSpec::Months {
            start: None,
            end: None,
        }
        .day_windows(d("2021-01-02"), d("2021-04-22"));
        let starts: Vec<_> = w.iter().map(|w| w.start).collect();
        assert_eq!(starts, [d("2021-02-01"), d("2021-03-01")]);
        assert_eq!(w[0].end, d("2021-02-28"));
    }

    #[test]
    fn parses_specs() {
        assert_eq!(
            "30d".parse::<WindowSpec>().unwrap(),
            WindowSpec::days(30, 30)
        );
        assert_eq!(
            "30d/1d".parse::<WindowSpec>().unwrap(),
            WindowSpec::days(30, 1)
        );
        assert_eq!(
            "1000blocks/100".parse::<WindowSpec>().unwrap(),
            WindowSpec::Blocks {
                size: 1000,
                step: 100
            }
        );
        for bad in ["", "0d", "xd", "10blocks/0", "d"] {
            assert!(bad.parse::<WindowSpec>().is_err(), "{bad}");
        }
    }

    /// Found with the `specs` fuzz target (docs/fuzzing.md): `4294967295d` parses, and cutting
    /// windows then overflowed `NaiveDate + Duration` (a panic in chrono). Windows longer
    /// than the date range give none; a step past the last representable date ends the series.
    #[test]
    fn huge_day_windows_and_steps_do_not_overflow() {
        for spec in ["4294967295d", "4294967295d/1d", "1d/4294967295d"] {
            let WindowSpec::Days {
                estimation, step, ..
            } = spec.parse::<WindowSpec>().unwrap()
            else {
                unreachable!()
            };
            for align in [Alignment::Start, Alignment::End] {
                let spec = WindowSpec::Days {
                    estimation,
                    step,
                    start: None,
                    end: None,
                    align,
                };
                let w = spec.day_windows(d("2020-01-01"), d("2020-12-31"));
                let expected = if estimation == 1 { 1 } else { 0 };
                assert_eq!(w.len(), expected, "{spec:?}");
            }
        }
    }
}
