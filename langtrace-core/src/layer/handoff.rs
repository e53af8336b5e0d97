//! Thread-local hand-offs between the layer and the code `#[observe]` generates, which
//! spare span lookups on the hot path: the observation just opened ([`JustOpened`]),
//! the one just finished (`close_with`), and the parent cache (spans entered on this
//! thread, and the state of the parent looked up last).

use std::cell::RefCell;

use tracing::Span;
use tracing_core::span::Id;

use super::context::{LayerContext, Recorded};
use super::span_state::SpanState;
use crate::record::TraceRecord;

/// An observation `#[observe]` has just ended, handed to `on_close` while its span handle
/// is dropped, so closing needs no span lookup.
struct Finishing {
    id: Id,
    recorded: Recorded,
    trace_record: Option<Box<TraceRecord>>,
}

thread_local! {
    static FINISHING: RefCell<Option<Finishing>> = const { RefCell::new(None) };
}

/// Drops `span` (closing it when it was the last handle), letting the layer hand the
/// observation over from `recorded` (already closed, see `ObservationState::close`)
/// instead of looking the span up.
pub(crate) fn close_with(span: &mut Span, recorded: Recorded, trace_record: Option<Box<TraceRecord>>) {
    let handoff = span.id().map(|id| Finishing { id, recorded, trace_record });
    FINISHING.with(|slot| *slot.borrow_mut() = handoff);
    *span = Span::none();
    // Not taken when the span lives on (another handle): it closes later, by lookup.
    FINISHING.with(|slot| slot.borrow_mut().take());
}

/// The `#[observe]` span the layer opened last on this thread: `Observation::new`, which
/// runs right after the span is created, takes it instead of looking the span up.
pub(super) struct JustOpened {
    pub(super) id: Id,
    /// Address of the layer's context, to tell dispatchers apart (ids are per registry).
    pub(super) context: usize,
    pub(super) recorded: Option<Recorded>,
}

thread_local! {
    static JUST_OPENED: RefCell<Option<JustOpened>> = const { RefCell::new(None) };
}

/// The observation just opened for `id` by the layer whose context is at `context`,
/// if the hand-off is for that span; `None` when it is not (then look it up).
pub(crate) fn take_just_opened(id: &Id, context: &LayerContext) -> Option<Option<Recorded>> {
    let opened = JUST_OPENED.with(|slot| slot.borrow_mut().take())?;
    (opened.id == *id && opened.context == context.address()).then_some(opened.recorded)
}

/// Hands the observation just opened to the `Observation::new` that follows.
#[inline]
pub(super) fn opened(opened: JustOpened) {
    JUST_OPENED.with(|slot| *slot.borrow_mut() = Some(opened));
}

/// The observation `close_with` is handing over for span `id` of the layer at `address`.
#[inline]
pub(super) fn take_finishing(id: &Id, address: usize) -> Option<(Recorded, Option<Box<TraceRecord>>)> {
    let finishing = FINISHING.with(|slot| slot.borrow_mut().take_if(|f| f.id == *id && f.recorded.context == address));
    finishing.map(|Finishing { recorded, trace_record, .. }| (recorded, trace_record))
}

thread_local! {
    /// Spans entered on this thread, innermost last, with the address of the layer's
    /// context (several subscribers can share a thread): a new span's contextual parent
    /// without a registry lookup.
    static ENTERED: RefCell<Vec<(usize, Id)>> = const { RefCell::new(Vec::new()) };
    /// The state the children of the parent looked up last on this thread start from.
    /// Span ids carry a generation, so an id never names another span, and a span's
    /// inheritable state no longer changes once it can have children.
    static LAST_PARENT: RefCell<Option<(usize, Id, SpanState)>> = const { RefCell::new(None) };
}

/// Notes that the layer at `address` entered span `id` on this thread.
#[inline]
pub(super) fn entered(address: usize, id: &Id) {
    let entry = (address, id.clone());
    ENTERED.with(|entered| entered.borrow_mut().push(entry));
}

/// Notes that the layer at `address` exited span `id` on this thread.
#[inline]
pub(super) fn exited(address: usize, id: &Id) {
    ENTERED.with(|entered| {
        let mut entered = entered.borrow_mut();
        if let Some(at) = entered.iter().rposition(|(a, entered)| *a == address && entered == id) {
            entered.remove(at);
        }
    });
}

/// The innermost span the layer at `address` entered on this thread.
#[inline]
pub(super) fn innermost_entered(address: usize) -> Option<Id> {
    ENTERED.with(|entered| entered.borrow().iter().rev().find(|(a, _)| *a == address).map(|(_, id)| id.clone()))
}

/// The state children of `parent` start from, when it is the parent looked up last.
#[inline]
pub(super) fn cached_parent(address: usize, parent: &Id) -> Option<SpanState> {
    LAST_PARENT.with(|last| match &*last.borrow() {
        Some((a, id, state)) if *a == address && id == parent => Some(state.inherit()),
        _ => None,
    })
}

/// Remembers the state children of `parent` start from.
#[inline]
pub(super) fn remember_parent(address: usize, parent: Id, state: SpanState) {
    let entry = (address, parent, state);
    LAST_PARENT.with(|last| *last.borrow_mut() = Some(entry));
}
