//! Bad input yields errors naming file, line (or row) and field.

use powermap_ingest::{CsvReader, IngestError, JsonlReader, Position, MAX_RECORD_BYTES};

const HEADER: &str = "network,layer,time,height,subject,entity,weight,source\n";

fn csv(text: &str) -> Result<Vec<Result<powermap_model::Observation, IngestError>>, IngestError> {
    Ok(CsvReader::new(text.as_bytes(), "obs.csv")?.collect())
}

fn first_error(text: &str) -> String {
    match csv(text) {
        Err(e) => e.to_string(),
        Ok(rows) => rows
            .into_iter()
            .find_map(Result::err)
            .expect("an error")
            .to_string(),
    }
}

#[test]
fn csv_field_errors_name_line_and_field() {
    let good = "bitcoin,consensus,2024-01-01T00:00:00Z,1,pool-a,,1,";
    let text = format!("{HEADER}{good}\n{good}\nbitcoin,consensus,2024-01-01T00:00:00Z,3,x,,-3,\n");
    assert_eq!(
        first_error(&text),
        "obs.csv:4: field \"weight\": expected a number ≥ 0, got \"-3\""
    );
    let cases = [
        (
            "bitcoin,Consensus,2024-01-01T00:00:00Z,,x,,1,",
            "layer",
            "expected one of consensus",
        ),
        (
            "bitcoin,consensus,2024-01-01,,x,,1,",
            "time",
            "expected an RFC 3339 timestamp",
        ),
        (
            "bitcoin,consensus,2024-01-01T00:00:00Z,-1,x,,1,",
            "height",
            "expected an integer ≥ 0, got \"-1\"",
        ),
        (
            "bitcoin,consensus,2024-01-01T00:00:00Z,,,,1,",
            "subject",
            "missing value",
        ),
        (
            ",consensus,2024-01-01T00:00:00Z,,x,,1,",
            "network",
            "missing value",
        ),
        (
            "bitcoin,consensus,2024-01-01T00:00:00Z,,x,,NaN,",
            "weight",
            "got \"NaN\"",
        ),
        (
            "bitcoin,consensus,2024-01-01T00:00:00Z,,x,,,",
            "weight",
            "got \"\"",
        ),
    ];
    for (line, field, problem) in cases {
        let rows = csv(&format!("{HEADER}{line}\n")).unwrap();
        let e = rows.into_iter().next().unwrap().unwrap_err();
        assert_eq!(e.field(), Some(field), "{e}");
        assert_eq!(e.position(), Some(Position::Line(2)), "{e}");
        let msg = e.to_string();
        assert!(
            msg.starts_with(&format!("obs.csv:2: field \"{field}\": ")),
            "{msg}"
        );
        assert!(msg.contains(problem), "{msg}");
    }
}

#[test]
fn csv_lines_count_quoted_newlines_and_blank_lines() {
    let text = format!(
        "{HEADER}bitcoin,consensus,2024-01-01T00:00:00Z,1,\"two\nlines\",,1,\n\n\
         bitcoin,consensus,2024-01-01T00:00:00Z,1,x,,oops,\n"
    );
    let e = first_error(&text);
    assert!(e.starts_with("obs.csv:5: field \"weight\""), "{e}");
}

#[test]
fn csv_header_problems() {
    let e = first_error("network,layer,time,subject,weight,colour\n");
    assert!(
        e.starts_with("obs.csv:1: header: unknown column \"colour\""),
        "{e}"
    );
    let e = first_error("network,layer,time,subject\n");
    assert_eq!(e, "obs.csv:1: header: missing required column \"weight\"");
    let e = first_error("network,layer,time,subject,weight,weight\n");
    assert!(e.contains("\"weight\" appears twice"), "{e}");
    let e = first_error("");
    assert!(e.contains("missing header row"), "{e}");
    // Columns in any order, optional ones left out, a byte-order mark before the header.
    let rows =
        csv("\u{feff}weight,subject,time,layer,network\n2,x,2024-01-01T00:00:00Z,wealth,eth\n")
            .unwrap();
    let obs = rows.into_iter().next().unwrap().unwrap();
    assert_eq!((obs.weight, obs.height, obs.entity), (2.0, None, None));
}

#[test]
fn csv_record_problems() {
    let text =
        format!("{HEADER}bitcoin,consensus\nbitcoin,consensus,2024-01-01T00:00:00Z,1,x,,1,\n");
    let rows = csv(&text).unwrap();
    assert_eq!(rows.len(), 2);
    let e = rows[0].as_ref().unwrap_err().to_string();
    assert_eq!(e, "obs.csv:2: expected 8 fields like the header, found 2");
    assert!(rows[1].is_ok());
    let mut bytes = HEADER.as_bytes().to_vec();
    bytes.extend_from_slice(b"bitcoin,consensus,2024-01-01T00:00:00Z,1,\xff,,1,\n");
    let e = CsvReader::new(&bytes[..], "obs.csv")
        .unwrap()
        .next()
        .unwrap()
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "obs.csv:2: field \"subject\": not valid UTF-8"
    );
}

#[test]
fn csv_rejects_an_overlong_record_without_buffering_it() {
    let mut text = HEADER.to_string();
    text.push_str("bitcoin,consensus,2024-01-01T00:00:00Z,1,");
    text.push_str(&"x".repeat(3 * MAX_RECORD_BYTES));
    text.push_str(",,1,\n");
    let rows = csv(&text).unwrap();
    assert_eq!(rows.len(), 1);
    let e = rows[0].as_ref().unwrap_err().to_string();
    assert!(e.starts_with("obs.csv:2: record longer than"), "{e}");
}

fn jsonl(text: &str) -> Vec<Result<powermap_model::Observation, IngestError>> {
    JsonlReader::new(text.as_bytes(), "obs.jsonl").collect()
}

#[test]
fn jsonl_errors_name_line_and_field() {
    let good = r#"{"network":"bitcoin","layer":"consensus","time":"2024-01-01T00:00:00Z","subject":"x","weight":1}"#;
    let cases = [
        (r#"{"network":"bitcoin","layer":"consensus","time":"2024-01-01T00:00:00Z","subject":"x","weight":-3}"#,
         "obs.jsonl:3: field \"weight\": expected a number ≥ 0, got -3"),
        (r#"{"network":"bitcoin","layer":"consensus","time":"2024-01-01T00:00:00Z","subject":"x","weight":"1"}"#,
         "obs.jsonl:3: field \"weight\": expected a number ≥ 0, got \"1\""),
        (r#"{"network":"bitcoin","layer":"consensus","time":"2024-01-01T00:00:00Z","subject":"x","weight":1,"height":1.5}"#,
         "obs.jsonl:3: field \"height\": expected an integer ≥ 0, got 1.5"),
        (r#"{"network":"bitcoin","layer":"consensus","subject":"x","weight":1}"#,
         "obs.jsonl:3: field \"time\": missing value (the field is required)"),
        (r#"{"network":"bitcoin","layer":"consensus","time":"2024-01-01T00:00:00Z","subject":["x"],"weight":1}"#,
         "obs.jsonl:3: field \"subject\": expected a string, got an array"),
        (r#"{"network":"bitcoin","layer":"consensus","time":"2024-01-01T00:00:00Z","subject":"x","weight":1,"colour":1}"#,
         "obs.jsonl:3: unknown key \"colour\" (expected: network, layer, time, height, subject, entity, weight, source)"),
        (r#"{"network":"bitcoin","network":"x"}"#, "obs.jsonl:3: key \"network\" appears twice"),
        (r#"{"network":"bitcoin","#, "obs.jsonl:3: malformed JSON at column 21: EOF while parsing a value"),
        (r#"[1]"#, "obs.jsonl:3: malformed JSON: invalid type: sequence, expected a JSON object"),
        (r#"{} {}"#, "obs.jsonl:3: malformed JSON at column 4: trailing characters"),
    ];
    for (bad, expected) in cases {
        // Line 2 is blank: blank lines are skipped but counted.
        let rows = jsonl(&format!("{good}\n \r\n{bad}\n{good}"));
        assert_eq!(rows.len(), 3, "{bad}");
        assert!(rows[0].is_ok() && rows[2].is_ok());
        assert_eq!(rows[1].as_ref().unwrap_err().to_string(), expected);
    }
}

#[test]
fn jsonl_skips_an_overlong_line_and_goes_on() {
    let good = r#"{"network":"bitcoin","layer":"consensus","time":"2024-01-01T00:00:00Z","subject":"x","weight":1}"#;
    let long = format!("{{\"network\":\"{}\"}}", "x".repeat(2 * MAX_RECORD_BYTES));
    let rows = jsonl(&format!("{good}\n{long}\n{good}\n"));
    assert_eq!(rows.len(), 3);
    let e = rows[1].as_ref().unwrap_err().to_string();
    assert_eq!(
        e,
        format!("obs.jsonl:2: line longer than {MAX_RECORD_BYTES} bytes")
    );
    assert!(rows[2].is_ok());
}

#[test]
fn jsonl_accepts_nulls_escapes_and_crlf() {
    let line = "{\"network\":\"bit\\u0063oin\",\"layer\":\"consensus\",\"time\":\"2024-01-01T01:00:00+01:00\",\
                \"height\":null,\"subject\":\"x\",\"entity\":\"\",\"weight\":2.5,\"source\":null}\r\n";
    let obs = jsonl(line).remove(0).unwrap();
    assert_eq!(obs.network, "bitcoin");
    assert_eq!(obs.time.to_rfc3339(), "2024-01-01T00:00:00+00:00");
    assert_eq!(
        (obs.height, obs.entity, obs.source, obs.weight),
        (None, None, None, 2.5)
    );
}

#[test]
fn unknown_extension_and_missing_file() {
    let e = powermap_ingest::read_file("obs.xlsx").err().unwrap();
    assert!(matches!(e, IngestError::UnknownFormat { .. }), "{e}");
    let e = powermap_ingest::read_file("/no/such/obs.csv")
        .err()
        .unwrap();
    assert!(e.to_string().starts_with("/no/such/obs.csv: "), "{e}");
}
