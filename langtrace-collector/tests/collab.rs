//! Sharing, comments and bookmarks against a real `langtrace serve`: the keyless share
//! path opens a public trace and nothing else, Langfuse's comments API with its bad-input
//! answers, and bookmarks set, listed and filtered; projects stay apart in each. One
//! module per concern; `client` holds the requests they share.

mod support;

#[path = "collab/bookmarks.rs"]
mod bookmarks;
#[path = "collab/client.rs"]
mod client;
#[path = "collab/comments.rs"]
mod comments;
#[path = "collab/share.rs"]
mod share;
