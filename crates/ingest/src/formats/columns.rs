//! Typed access to the Arrow columns a Parquet file may use for each field.
//!
//! The schema is checked once with the `check_*` functions; each record batch is then
//! wrapped once, so the per-row accessors are plain index lookups.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float32Type, Float64Type, Int32Type, Int64Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, LargeStringArray, PrimitiveArray, StringArray};
use arrow_schema::{DataType, TimeUnit};
use chrono::{DateTime, Utc};

use crate::{fields, time};

/// Accepted types, for error messages.
pub(crate) const STRING_TYPES: &str = "string or large string";
pub(crate) const INT_TYPES: &str = "int32, int64, uint32 or uint64";
pub(crate) const NUMBER_TYPES: &str = "float32, float64, int32, int64, uint32 or uint64";
pub(crate) const TIME_TYPES: &str = "timestamp (any unit) or RFC 3339 string";

pub(crate) fn is_string(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => matches!(
            **v,
            DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View
        ),
        _ => false,
    }
}

pub(crate) fn is_int(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Int32 | DataType::Int64 | DataType::UInt32 | DataType::UInt64
    )
}

pub(crate) fn is_number(t: &DataType) -> bool {
    is_int(t) || matches!(t, DataType::Float32 | DataType::Float64)
}

/// Arrow timestamps count from the UTC epoch whatever their time zone label, so any
/// label (or none) is read as UTC.
pub(crate) fn is_time(t: &DataType) -> bool {
    is_string(t) || matches!(t, DataType::Timestamp(_, _))
}

/// A string column, possibly dictionary-encoded.
pub(crate) enum StrCol {
    Utf8(StringArray),
    Large(LargeStringArray),
    Dict(PrimitiveArray<Int32Type>, Box<StrCol>),
}

impl StrCol {
    pub(crate) fn new(a: &ArrayRef) -> Option<StrCol> {
        match a.data_type() {
            DataType::Utf8 => Some(StrCol::Utf8(a.as_string::<i32>().clone())),
            DataType::LargeUtf8 => Some(StrCol::Large(a.as_string::<i64>().clone())),
            DataType::Dictionary(k, _) if **k == DataType::Int32 => {
                let d = a.as_dictionary::<Int32Type>();
                let values = StrCol::new(d.values())?;
                Some(StrCol::Dict(d.keys().clone(), Box::new(values)))
            }
            _ => None,
        }
    }

    /// The value of row `i`, `None` when null (or out of bounds).
    #[inline]
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        match self {
            StrCol::Utf8(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i)),
            StrCol::Large(a) => (i < a.len() && a.is_valid(i)).then(|| a.value(i)),
            StrCol::Dict(keys, values) => {
                let k = *keys.values().get(i)?;
                if !keys.is_valid(i) {
                    return None;
                }
                values.get(usize::try_from(k).ok()?)
            }
        }
    }

    /// For a dictionary column: the dictionary and the key of row `i` (`None` when null).
    pub(crate) fn dictionary(&self) -> Option<(&PrimitiveArray<Int32Type>, &StrCol)> {
        match self {
            StrCol::Dict(keys, values) => Some((keys, values)),
            _ => None,
        }
    }
}

/// The type to read a text column as: dictionary-encoded, so repeated values (network,
/// layer, pool) are decoded once per page rather than copied per row.
pub(crate) fn dictionary_type(t: &DataType) -> Option<DataType> {
    let dict = |v: DataType| DataType::Dictionary(Box::new(DataType::Int32), Box::new(v));
    match t {
        DataType::Utf8 | DataType::Utf8View => Some(dict(DataType::Utf8)),
        DataType::LargeUtf8 => Some(dict(DataType::LargeUtf8)),
        DataType::Dictionary(k, v) if **k != DataType::Int32 || **v == DataType::Utf8View => {
            match v.as_ref() {
                DataType::LargeUtf8 => Some(dict(DataType::LargeUtf8)),
                DataType::Utf8 | DataType::Utf8View => Some(dict(DataType::Utf8)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A numeric column.
pub(crate) enum NumCol {
    I32(PrimitiveArray<Int32Type>),
    I64(PrimitiveArray<Int64Type>),
    U32(PrimitiveArray<UInt32Type>),
    U64(PrimitiveArray<UInt64Type>),
    F32(PrimitiveArray<Float32Type>),
    F64(PrimitiveArray<Float64Type>),
}

/// One numeric value, kept exact until its field decides what it needs.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Num {
    Int(i128),
    Float(f64),
}

impl NumCol {
    pub(crate) fn new(a: &ArrayRef) -> Option<NumCol> {
        Some(match a.data_type() {
            DataType::Int32 => NumCol::I32(a.as_primitive().clone()),
            DataType::Int64 => NumCol::I64(a.as_primitive().clone()),
            DataType::UInt32 => NumCol::U32(a.as_primitive().clone()),
            DataType::UInt64 => NumCol::U64(a.as_primitive().clone()),
            DataType::Float32 => NumCol::F32(a.as_primitive().clone()),
            DataType::Float64 => NumCol::F64(a.as_primitive().clone()),
            _ => return None,
        })
    }

    /// The value of row `i`, `None` when null.
    pub(crate) fn get(&self, i: usize) -> Option<Num> {
        fn at<T: arrow_array::ArrowPrimitiveType>(
            a: &PrimitiveArray<T>,
            i: usize,
        ) -> Option<T::Native> {
            a.is_valid(i).then(|| a.value(i))
        }
        match self {
            NumCol::I32(a) => at(a, i).map(|v| Num::Int(v.into())),
            NumCol::I64(a) => at(a, i).map(|v| Num::Int(v.into())),
            NumCol::U32(a) => at(a, i).map(|v| Num::Int(v.into())),
            NumCol::U64(a) => at(a, i).map(|v| Num::Int(v.into())),
            NumCol::F32(a) => at(a, i).map(|v| Num::Float(v.into())),
            NumCol::F64(a) => at(a, i).map(Num::Float),
        }
    }
}

/// A height: an integer ≥ 0.
pub(crate) fn height(n: Num) -> Result<u64, String> {
    match n {
        Num::Int(v) => u64::try_from(v).map_err(|_| format!("expected an integer ≥ 0, got {v}")),
        Num::Float(v) => Err(format!("expected an integer ≥ 0, got {v}")),
    }
}

/// A weight: finite and ≥ 0.
pub(crate) fn weight(n: Num) -> Result<f64, String> {
    match n {
        Num::Int(v) if v >= 0 => Ok(v as f64),
        Num::Int(v) => Err(format!("expected a number ≥ 0, got {v}")),
        Num::Float(v) => fields::check_weight(v),
    }
}

/// A time column: a timestamp in some unit, or RFC 3339 text.
pub(crate) struct TimeCol {
    kind: TimeKind,
    days: time::DayCache,
}

enum TimeKind {
    Ts(PrimitiveArray<Int64Type>, TimeUnit),
    Text(StrCol),
}

impl TimeCol {
    pub(crate) fn new(a: &ArrayRef) -> Option<TimeCol> {
        // Reinterpret the i64 values; the unit is kept aside.
        fn raw<T: arrow_array::ArrowPrimitiveType<Native = i64>>(
            a: &ArrayRef,
        ) -> PrimitiveArray<Int64Type> {
            a.as_primitive::<T>().reinterpret_cast::<Int64Type>()
        }
        let kind = match a.data_type() {
            DataType::Timestamp(unit, _) => {
                let values = match unit {
                    TimeUnit::Second => raw::<TimestampSecondType>(a),
                    TimeUnit::Millisecond => raw::<TimestampMillisecondType>(a),
                    TimeUnit::Microsecond => raw::<TimestampMicrosecondType>(a),
                    TimeUnit::Nanosecond => raw::<TimestampNanosecondType>(a),
                };
                TimeKind::Ts(values, *unit)
            }
            _ => TimeKind::Text(StrCol::new(a)?),
        };
        Some(TimeCol {
            kind,
            days: time::DayCache::default(),
        })
    }

    /// The value of row `i`: `Ok(None)` when null, `Err` with a problem when unreadable.
    pub(crate) fn get(&self, i: usize) -> Result<Option<DateTime<Utc>>, String> {
        match &self.kind {
            TimeKind::Ts(a, unit) => {
                if i >= a.len() || a.is_null(i) {
                    return Ok(None);
                }
                let v = a.value(i);
                let per_sec: i64 = match unit {
                    TimeUnit::Second => 1,
                    TimeUnit::Millisecond => 1_000,
                    TimeUnit::Microsecond => 1_000_000,
                    TimeUnit::Nanosecond => 1_000_000_000,
                };
                let secs = v.div_euclid(per_sec);
                // < 1e9 by construction.
                let nanos = (v.rem_euclid(per_sec) * (1_000_000_000 / per_sec)) as u32;
                self.days
                    .timestamp(secs, nanos)
                    .map(Some)
                    .ok_or_else(|| format!("timestamp {v} ({unit:?}) is out of range"))
            }
            TimeKind::Text(s) => s.get(i).map(fields::time).transpose(),
        }
    }
}
