//! Langfuse's comments: `POST /api/public/comments` (on a trace, an observation, a
//! session or a prompt version of the project; 404 when there is no such object),
//! `GET /api/public/comments` (newest first, filtered by `objectType`, `objectId`,
//! `authorUserId`) and `GET /api/public/comments/{id}`. A comment is plain text of 1 to
//! 3000 characters, stored as given and shown as text.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::body::JsonBody;
use super::paging::{ListPage, PageQuery};
use super::path::PathParams;
use super::query::Query;
use super::wire::iso;
use crate::app::{ApiError, AppState, Authed};
use crate::auth::random_hex;
use crate::store::comments::{self, CommentFilter, CommentObject, CommentRow};
use crate::store::write::comments::{insert, NewComment};

/// Characters a comment holds at most (Langfuse's limit).
pub const MAX_CONTENT_CHARS: usize = 3000;
/// Characters of a comment's `authorUserId` at most (langtrace's bound: it is stored as given).
pub const MAX_AUTHOR_CHARS: usize = 256;

/// The object types of the wire, upper case as Langfuse spells them.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ObjectType {
    /// A trace.
    Trace,
    /// An observation.
    Observation,
    /// A session.
    Session,
    /// A prompt version (its id).
    Prompt,
}

impl ObjectType {
    /// The object's name in messages.
    fn noun(self) -> &'static str {
        match self {
            ObjectType::Trace => "trace",
            ObjectType::Observation => "observation",
            ObjectType::Session => "session",
            ObjectType::Prompt => "prompt version",
        }
    }
}

impl From<ObjectType> for CommentObject {
    fn from(object: ObjectType) -> Self {
        match object {
            ObjectType::Trace => CommentObject::Trace,
            ObjectType::Observation => CommentObject::Observation,
            ObjectType::Session => CommentObject::Session,
            ObjectType::Prompt => CommentObject::Prompt,
        }
    }
}

impl From<CommentObject> for ObjectType {
    fn from(object: CommentObject) -> Self {
        match object {
            CommentObject::Trace => ObjectType::Trace,
            CommentObject::Observation => ObjectType::Observation,
            CommentObject::Session => ObjectType::Session,
            CommentObject::Prompt => ObjectType::Prompt,
        }
    }
}

/// The body of `POST /api/public/comments`. `projectId` (which Langfuse's SDKs send) is
/// accepted and ignored: a comment always goes to the project of the request's keys.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateComment {
    #[serde(default, rename = "projectId")]
    _project_id: Option<String>,
    object_type: ObjectType,
    object_id: String,
    content: String,
    author_user_id: Option<String>,
}

impl CreateComment {
    /// The comment to store; 400 for empty or over-long content, an over-long author, or
    /// an empty object id.
    fn validate(self) -> Result<NewComment, ApiError> {
        if self.object_id.is_empty() {
            return Err(ApiError::BadRequest("objectId must not be empty".into()));
        }
        let author_chars = self.author_user_id.as_deref().map_or(0, |author| author.chars().count());
        if author_chars > MAX_AUTHOR_CHARS {
            return Err(ApiError::BadRequest(format!(
                "authorUserId must be at most {MAX_AUTHOR_CHARS} characters, got {author_chars}"
            )));
        }
        let chars = self.content.chars().count();
        if self.content.trim().is_empty() {
            return Err(ApiError::BadRequest("content must not be empty".into()));
        }
        if chars > MAX_CONTENT_CHARS {
            return Err(ApiError::BadRequest(format!(
                "content must be at most {MAX_CONTENT_CHARS} characters, got {chars}"
            )));
        }
        Ok(NewComment {
            id: random_hex(16),
            object: self.object_type.into(),
            object_id: self.object_id,
            content: self.content,
            author_user_id: self.author_user_id,
        })
    }
}

/// The answer to a created comment.
#[derive(Debug, Serialize)]
pub struct Created {
    id: String,
}

/// A comment as Langfuse's API returns it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comment {
    id: String,
    project_id: String,
    created_at: String,
    updated_at: String,
    object_type: ObjectType,
    object_id: String,
    content: String,
    author_user_id: Option<String>,
}

impl From<CommentRow> for Comment {
    fn from(row: CommentRow) -> Self {
        Comment {
            id: row.id,
            project_id: row.project_id,
            created_at: iso(row.created_at),
            updated_at: iso(row.updated_at),
            object_type: row.object.into(),
            object_id: row.object_id,
            content: row.content,
            author_user_id: row.author_user_id,
        }
    }
}

/// `POST /api/public/comments`: `{id}` of the stored comment; 404 when its object is not
/// in the project (checked in the writer's transaction, so the object cannot go between
/// the check and the insert).
pub async fn create(
    State(state): State<AppState>,
    Authed(project): Authed,
    JsonBody(body): JsonBody<CreateComment>,
) -> Result<Json<Created>, ApiError> {
    let new = body.validate()?;
    let (object, object_id) = (ObjectType::from(new.object), new.object_id.clone());
    let stored = state.writer.write(move |tx| insert(tx, &project.id, &new)).await?;
    match stored {
        Some(row) => Ok(Json(Created { id: row.id })),
        None => Err(ApiError::NotFound(format!("{} {object_id}", object.noun()))),
    }
}

/// The query of `GET /api/public/comments`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommentQuery {
    object_type: Option<ObjectType>,
    object_id: Option<String>,
    author_user_id: Option<String>,
}

/// `GET /api/public/comments`: newest first. `objectId` needs `objectType` (an id alone
/// could name objects of several types), as Langfuse requires.
pub async fn list(
    State(state): State<AppState>,
    Authed(project): Authed,
    Query(paging): Query<PageQuery>,
    Query(query): Query<CommentQuery>,
) -> Result<Json<ListPage<Comment>>, ApiError> {
    let page = paging.page()?;
    if query.object_id.is_some() && query.object_type.is_none() {
        return Err(ApiError::BadRequest("objectType is required when objectId is given".into()));
    }
    let filter = CommentFilter {
        object: query.object_type.map(CommentObject::from),
        object_id: query.object_id,
        author_user_id: query.author_user_id,
    };
    let paged = state.read(move |c| Ok(comments::page(c, &project.id, &filter, page)?)).await?;
    Ok(Json(ListPage::of(page, paged, Comment::from)))
}

/// `GET /api/public/comments/{id}`.
pub async fn get(
    State(state): State<AppState>,
    Authed(project): Authed,
    PathParams(id): PathParams<String>,
) -> Result<Json<Comment>, ApiError> {
    let row = state
        .read(move |c| comments::get(c, &project.id, &id)?.ok_or_else(|| ApiError::NotFound(format!("comment {id}"))))
        .await?;
    Ok(Json(row.into()))
}
