//! Comment writes, each inside the single writer's transaction: a new comment, stored
//! only if the object it names exists in the project at that moment, with the trace that
//! object belongs to; and the statement that removes every comment on a trace and its
//! observations (for a trace's deletion).

use crate::store::comments::{find_object, CommentObject, CommentRow};
use crate::store::db::{self, params, Transaction};

/// A comment to store, validated.
#[derive(Debug, Clone)]
pub struct NewComment {
    /// Id of the new comment.
    pub id: String,
    /// What it is on.
    pub object: CommentObject,
    /// The id of what it is on.
    pub object_id: String,
    /// The text.
    pub content: String,
    /// Who wrote it, as the client said.
    pub author_user_id: Option<String>,
}

/// Stores `new` in `project_id` when its object exists there; the stored row, or `None`
/// (nothing stored) when the object does not exist.
pub fn insert(tx: &Transaction<'_>, project_id: &str, new: &NewComment) -> db::Result<Option<CommentRow>> {
    let Some(trace_id) = find_object(tx, project_id, new.object, &new.object_id)? else {
        return Ok(None);
    };
    let at = crate::store::now_ns();
    tx.prepare_cached(
        "INSERT INTO comments (project_id, id, object_type, object_id, content, author_user_id, trace_id, created_at,
         updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        project_id,
        new.id,
        new.object.keyword(),
        new.object_id,
        new.content,
        new.author_user_id,
        trace_id,
        at
    ])?;
    Ok(Some(CommentRow {
        id: new.id.clone(),
        project_id: project_id.to_owned(),
        object: new.object,
        object_id: new.object_id.clone(),
        content: new.content.clone(),
        author_user_id: new.author_user_id.clone(),
        created_at: at,
        updated_at: at,
    }))
}

/// The statement that deletes the comments on trace `?2` of project `?1` and on its
/// observations (through the `comments_trace` index; it reads no observation row, so it
/// may run after the observations are gone). A trace's deletion runs it with the other
/// per-table statements of the trace.
pub const DELETE_OF_TRACE: &str = "DELETE FROM comments WHERE project_id = ?1 AND trace_id = ?2";

#[cfg(test)]
mod tests {
    use crate::store::db::Connection;

    use super::*;
    use crate::store::comments::{self, CommentFilter};
    use crate::store::filter::Page;

    fn database() -> Connection {
        let connection = crate::store::migrated_in_memory();
        connection
            .execute_batch(
                "INSERT INTO traces (project_id, id, session_id, start_time, end_time, created_at, updated_at)
                 VALUES ('p1', 't1', 's1', 0, 0, 0, 0), ('p1', 't2', NULL, 0, 0, 0, 0);
                 INSERT INTO observations (project_id, id, trace_id, is_root, type, name, start_time, level, metadata,
                     environment, usage_details, cost_details, created_at)
                 VALUES ('p1', 'o1', 't1', 1, 'SPAN', 'a', 0, 'DEFAULT', '{}', 'default', '{}', '{}', 0),
                        ('p1', 'o2', 't2', 1, 'SPAN', 'b', 0, 'DEFAULT', '{}', 'default', '{}', '{}', 0);",
            )
            .unwrap();
        connection
    }

    fn comment(id: &str, object: CommentObject, object_id: &str) -> NewComment {
        NewComment {
            id: id.to_owned(),
            object,
            object_id: object_id.to_owned(),
            content: format!("note {id}"),
            author_user_id: None,
        }
    }

    fn ids(connection: &Connection, project_id: &str) -> Vec<String> {
        let page = Page { page: 1, limit: 100 };
        let mut ids: Vec<String> = comments::page(connection, project_id, &CommentFilter::default(), page)
            .unwrap()
            .rows
            .into_iter()
            .map(|row| row.id)
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn a_comment_is_stored_only_on_an_object_of_its_project() {
        let mut connection = database();
        let tx = connection.transaction().unwrap();
        assert!(insert(&tx, "p1", &comment("c1", CommentObject::Trace, "t1")).unwrap().is_some());
        assert!(insert(&tx, "p1", &comment("c2", CommentObject::Session, "s1")).unwrap().is_some());
        assert!(insert(&tx, "p1", &comment("c3", CommentObject::Observation, "o1")).unwrap().is_some());
        assert!(insert(&tx, "p2", &comment("c4", CommentObject::Trace, "t1")).unwrap().is_none(), "another project");
        assert!(insert(&tx, "p1", &comment("c5", CommentObject::Session, "t1")).unwrap().is_none(), "no such session");
        assert!(insert(&tx, "p1", &comment("c6", CommentObject::Prompt, "t1")).unwrap().is_none(), "no such prompt");
        tx.commit().unwrap();
        assert_eq!(ids(&connection, "p1"), ["c1", "c2", "c3"]);
        assert!(ids(&connection, "p2").is_empty());
    }

    #[test]
    fn deleting_a_traces_comments_removes_those_on_it_and_its_observations_only_even_after_them() {
        let mut connection = database();
        let tx = connection.transaction().unwrap();
        for (id, object, object_id) in [
            ("c1", CommentObject::Trace, "t1"),
            ("c2", CommentObject::Observation, "o1"),
            ("c3", CommentObject::Session, "s1"),
            ("c4", CommentObject::Trace, "t2"),
            ("c5", CommentObject::Observation, "o2"),
        ] {
            insert(&tx, "p1", &comment(id, object, object_id)).unwrap().unwrap();
        }
        let delete = |project_id: &str, trace_id: &str| tx.execute(DELETE_OF_TRACE, [project_id, trace_id]).unwrap();
        assert_eq!(delete("p2", "t1"), 0, "scoped to the project");
        // As a trace's deletion runs it: after the trace's observations are gone.
        tx.execute("DELETE FROM observations WHERE project_id = 'p1' AND trace_id = 't1'", ()).unwrap();
        assert_eq!(delete("p1", "t1"), 2);
        tx.commit().unwrap();
        assert_eq!(ids(&connection, "p1"), ["c3", "c4", "c5"]);
    }
}
