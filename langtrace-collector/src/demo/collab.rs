//! The demo's collaboration touch, once its traces are stored: the newest trace of a
//! session is shared (public) and bookmarked, with a comment on it, one on its first
//! observation and one on its session, written in one transaction through the same store
//! functions the API's writer jobs run (a one-off write beside the server, as the command
//! line's).

use std::path::Path;

use crate::auth::{self, random_hex};
use crate::store::comments::CommentObject;
use crate::store::db;
use crate::store::filter::{Io, Page};
use crate::store::traces::{self, TraceFilter, TraceOrder, TraceOrderField};
use crate::store::write::comments::{insert, NewComment};
use crate::store::write::trace_flags::{self, TraceFlags};
use crate::store::{observations, Durability, Store};

/// Shares, bookmarks and comments the newest trace of a session of project `project`;
/// its id (none when the project has no trace in a session).
pub(super) fn annotate(data_dir: &Path, project: &str) -> Result<Option<String>, String> {
    let error = |e: &dyn std::fmt::Display| format!("annotating the demo's traces: {e}");
    let mut connection = db::Connection::from(Store::open(data_dir, Durability::EachCommit).map_err(|e| error(&e))?.1);
    let tx = connection.transaction().map_err(|e| error(&e))?;
    let project = auth::project_by_name(&tx, project).map_err(|e| error(&e))?.ok_or_else(|| error(&"no project"))?;
    let newest = TraceOrder { field: TraceOrderField::Timestamp, descending: true };
    let page =
        traces::page(&tx, &project.id, &TraceFilter::default(), newest, Page { page: 1, limit: 50 }, Io::Omitted)
            .map_err(|e| error(&e))?;
    let Some(trace) = page.rows.into_iter().find(|trace| trace.session_id.is_some()) else {
        return Ok(None);
    };
    let flags = TraceFlags { public: Some(true), bookmarked: Some(true) };
    trace_flags::set(&tx, &project.id, &trace.id, flags).map_err(|e| error(&e))?;
    let first = observations::of_trace(&tx, &project.id, &trace.id, Some(1), Io::Omitted).map_err(|e| error(&e))?;
    let notes = [
        (CommentObject::Trace, trace.id.clone(), "Shared with the vendor: the refund answer cites the policy."),
        (
            CommentObject::Session,
            trace.session_id.clone().unwrap_or_default(),
            "Customer came back twice; see the last turn.",
        ),
    ]
    .into_iter()
    .chain(first.into_iter().map(|o| (CommentObject::Observation, o.id, "Planner step: fast enough.")));
    for (object, object_id, content) in notes {
        let comment = NewComment {
            id: random_hex(16),
            object,
            object_id,
            content: content.to_owned(),
            author_user_id: Some("demo-reviewer".to_owned()),
        };
        insert(&tx, &project.id, &comment).map_err(|e| error(&e))?;
    }
    tx.commit().map_err(|e| error(&e))?;
    Ok(Some(trace.id))
}
