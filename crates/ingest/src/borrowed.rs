//! Borrowed observations: the allocation-free fast path every reader is built on.
//!
//! Each reader parses a record into an [`ObservationRef`] whose text borrows the reader's
//! buffer (a CSV record, a JSON line, an Arrow string or dictionary array). The owned
//! iterators are that same parse followed by [`ObservationRef::to_owned`], so there is one
//! implementation of every check and error message.

use chrono::{DateTime, Utc};
use powermap_model::{Claim, Layer, Observation};

use crate::IngestError;

/// One observation whose text borrows the reader's buffers (see [`ReadRef::next_ref`]).
///
/// Same fields and invariants as [`Observation`]: `network` and `subject` are non-empty,
/// `entity` and `source` are `None` rather than empty, `weight` is finite and ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObservationRef<'a> {
    /// Network id, e.g. `bitcoin`.
    pub network: &'a str,
    /// Layer the power belongs to.
    pub layer: Layer,
    /// When it was observed (UTC).
    pub time: DateTime<Utc>,
    /// Block height or slot, when the source has one.
    pub height: Option<u64>,
    /// The raw identifier as the source shows it.
    pub subject: &'a str,
    /// An entity the source already attributed the subject to, if any.
    pub entity: Option<&'a str>,
    /// Units of power, finite and ≥ 0.
    pub weight: f64,
    /// Where this observation came from.
    pub source: Option<&'a str>,
    /// Where `subject` sits in its Parquet dictionary, when the column is dictionary-encoded.
    pub subject_key: Option<DictKey>,
    /// Where `entity` sits in its Parquet dictionary, when the column is dictionary-encoded.
    pub entity_key: Option<DictKey>,
}

/// A text value's place in a dictionary of the file being read (Parquet dictionary
/// encoding), so that a caller can memoise work per value without hashing the text.
///
/// Within one reader, equal keys mean equal text (the converse need not hold). Each distinct
/// dictionary a reader meets gets a new `dictionary` number, so keys of different columns,
/// row groups or pages never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DictKey {
    /// Which dictionary, numbered from 0 per reader.
    pub dictionary: u32,
    /// The value's index in it.
    pub key: u32,
}

impl<'a> ObservationRef<'a> {
    /// What the source says this observation is about: its entity, else its subject.
    pub fn claim(&self) -> Claim<'a> {
        Claim::of(self.entity, self.subject)
    }

    /// Copies the text into an owned [`Observation`].
    #[allow(clippy::wrong_self_convention)] // `Copy`, but the name says what it costs
    pub fn to_owned(&self) -> Observation {
        Observation {
            network: self.network.to_owned(),
            layer: self.layer,
            time: self.time,
            height: self.height,
            subject: self.subject.to_owned(),
            entity: self.entity.map(str::to_owned),
            weight: self.weight,
            source: self.source.map(str::to_owned),
        }
    }
}

impl<'a> From<&'a Observation> for ObservationRef<'a> {
    fn from(o: &'a Observation) -> Self {
        ObservationRef {
            network: &o.network,
            layer: o.layer,
            time: o.time,
            height: o.height,
            subject: &o.subject,
            entity: o.entity.as_deref(),
            weight: o.weight,
            source: o.source.as_deref(),
            subject_key: None,
            entity_key: None,
        }
    }
}

/// A reader that lends each observation without copying its text.
///
/// The observation borrows the reader, so it must be dropped (or copied with
/// [`ObservationRef::to_owned`]) before the next call. Errors are the ones the reader's
/// [`Iterator`] yields, in the same places.
///
/// ```
/// # fn main() -> Result<(), powermap_ingest::IngestError> {
/// use powermap_ingest::{CsvReader, ReadRef};
/// let csv = "network,layer,time,subject,weight\nbitcoin,consensus,2024-01-01T00:00:00Z,F2Pool,1\n";
/// let mut r = CsvReader::new(csv.as_bytes(), "obs.csv")?;
/// let n = r.for_each_ref(|o| {
///     assert_eq!(o.subject, "F2Pool");
///     Ok::<_, powermap_ingest::IngestError>(())
/// })?;
/// assert_eq!(n, 1);
/// # Ok(())
/// # }
/// ```
pub trait ReadRef {
    /// The next observation, borrowed; `None` at the end of input.
    fn next_ref(&mut self) -> Option<Result<ObservationRef<'_>, IngestError>>;

    /// Calls `f` on every observation, stopping at the first error (the reader's or `f`'s).
    /// Returns the number of observations passed to `f`.
    fn for_each_ref<E, F>(&mut self, mut f: F) -> Result<u64, E>
    where
        Self: Sized,
        E: From<IngestError>,
        F: FnMut(ObservationRef<'_>) -> Result<(), E>,
    {
        let mut n = 0;
        while let Some(obs) = self.next_ref() {
            f(obs?)?;
            n += 1;
        }
        Ok(n)
    }
}

impl<R: ReadRef + ?Sized> ReadRef for &mut R {
    fn next_ref(&mut self) -> Option<Result<ObservationRef<'_>, IngestError>> {
        (**self).next_ref()
    }
}
