//! The typed model of `#[observe(...)]`'s arguments.
//!
//! Parsing is two-staged: the token stream is first split into `syn::Meta`
//! items (a syntax error there aborts), then every item is validated on its
//! own. Semantic errors (unknown or duplicate options, values of the wrong
//! kind, cross-option constraints) are collected and reported together, each
//! at the offending token.

use quote::ToTokens;
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, ExprLit, ExprPath, Ident, Lit, LitStr, Meta, Token};

/// The validated arguments of one `#[observe(...)]` attribute.
pub(crate) struct Args {
    /// `name = "..."`: the observation name; the fn's name when absent.
    pub name: Option<LitStr>,
    /// `as_type = ...`: the Langfuse observation type.
    pub as_type: ObservationType,
    /// `capture_input = bool`: record the named arguments as input.
    pub capture_input: bool,
    /// `capture_output = bool`: record the return value (or stream items) as output.
    pub capture_output: bool,
    /// `skip(a, b)`: arguments left out of the input.
    pub skip: Vec<Ident>,
    /// `level = ...`: the initial observation level.
    pub level: Option<Level>,
    /// `model = "..."`: the model name of a generation-like observation.
    pub model: Option<LitStr>,
}

impl Default for Args {
    fn default() -> Self {
        Args {
            name: None,
            as_type: ObservationType::Span,
            capture_input: true,
            capture_output: true,
            skip: Vec::new(),
            level: None,
            model: None,
        }
    }
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated(input)?;
        let mut args = Args::default();
        let mut errors = Errors::default();
        let mut seen = Vec::new();
        let mut model_key = None;
        let mut invalid_as_type = false;

        for meta in &metas {
            let key = match Key::of(meta.path()) {
                Ok(key) if seen.contains(&key) => {
                    errors.push(syn::Error::new_spanned(meta.path(), format!("duplicate option `{}`", key.as_str())));
                    continue;
                }
                Ok(key) => key,
                Err(error) => {
                    errors.push(error);
                    continue;
                }
            };
            seen.push(key);

            let parsed = match key {
                Key::Name => value(meta).and_then(lit_str).map(|name| args.name = Some(name)),
                Key::AsType => {
                    let as_type = value(meta).and_then(keyword_value);
                    invalid_as_type = as_type.is_err();
                    as_type.map(|as_type| args.as_type = as_type)
                }
                Key::CaptureInput => value(meta).and_then(lit_bool).map(|capture| args.capture_input = capture),
                Key::CaptureOutput => value(meta).and_then(lit_bool).map(|capture| args.capture_output = capture),
                Key::Skip => skip_list(meta).map(|skip| args.skip = skip),
                Key::Level => value(meta).and_then(keyword_value).map(|level| args.level = Some(level)),
                Key::Model => value(meta).and_then(lit_str).map(|model| {
                    model_key = Some(meta.path());
                    args.model = Some(model);
                }),
            };
            if let Err(error) = parsed {
                errors.push(error);
            }
        }

        // With an invalid `as_type`, whether `model` fits is unknown.
        if let Some(key) = model_key {
            if !invalid_as_type && !args.as_type.is_generation_like() {
                errors.push(syn::Error::new_spanned(
                    key,
                    "`model` requires a generation-like type: \
                     add `as_type = generation` or `as_type = embedding`",
                ));
            }
        }

        errors.finish()?;
        Ok(args)
    }
}

impl Args {
    /// The observation name: `name = "..."`, else the fn's identifier.
    pub(crate) fn name(&self, fn_ident: &Ident) -> LitStr {
        self.name.clone().unwrap_or_else(|| LitStr::new(&fn_ident.unraw().to_string(), fn_ident.span()))
    }

    /// Checks that every `skip(...)` entry names one of `bound`, the
    /// identifiers bound by the fn's arguments.
    pub(crate) fn check_skip(&self, bound: &[Ident]) -> syn::Result<()> {
        let mut errors = Errors::default();
        for skipped in self.skip.iter().filter(|skipped| !bound.contains(skipped)) {
            errors.push(syn::Error::new_spanned(
                skipped,
                format!("cannot skip `{skipped}`: the function has no argument with this name"),
            ));
        }
        errors.finish()
    }
}

/// The option keys of `#[observe(...)]`.
#[derive(Clone, Copy, PartialEq)]
enum Key {
    Name,
    AsType,
    CaptureInput,
    CaptureOutput,
    Skip,
    Level,
    Model,
}

impl Key {
    /// The key written as `path`, or an "unknown option" error at it.
    fn of(path: &syn::Path) -> syn::Result<Key> {
        Key::ALL
            .iter()
            .copied()
            .find(|key| path.is_ident(key.as_str()))
            .ok_or_else(|| Key::unknown(path, &path.to_token_stream().to_string()))
    }
}

impl Keyword for Key {
    const WHAT: &'static str = "option";
    const ALL: &'static [Self] =
        &[Key::Name, Key::AsType, Key::CaptureInput, Key::CaptureOutput, Key::Skip, Key::Level, Key::Model];

    fn as_str(self) -> &'static str {
        match self {
            Key::Name => "name",
            Key::AsType => "as_type",
            Key::CaptureInput => "capture_input",
            Key::CaptureOutput => "capture_output",
            Key::Skip => "skip",
            Key::Level => "level",
            Key::Model => "model",
        }
    }
}

/// The Langfuse observation types, `as_type = ...`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum ObservationType {
    Span,
    Generation,
    Event,
    Agent,
    Tool,
    Chain,
    Retriever,
    Evaluator,
    Embedding,
    Guardrail,
}

impl ObservationType {
    /// Whether the type describes a model call, which is what `model = ...` is for.
    fn is_generation_like(self) -> bool {
        matches!(self, ObservationType::Generation | ObservationType::Embedding)
    }
}

impl Keyword for ObservationType {
    const WHAT: &'static str = "observation type";
    const ALL: &'static [Self] = &[
        ObservationType::Span,
        ObservationType::Generation,
        ObservationType::Event,
        ObservationType::Agent,
        ObservationType::Tool,
        ObservationType::Chain,
        ObservationType::Retriever,
        ObservationType::Evaluator,
        ObservationType::Embedding,
        ObservationType::Guardrail,
    ];

    fn as_str(self) -> &'static str {
        match self {
            ObservationType::Span => "span",
            ObservationType::Generation => "generation",
            ObservationType::Event => "event",
            ObservationType::Agent => "agent",
            ObservationType::Tool => "tool",
            ObservationType::Chain => "chain",
            ObservationType::Retriever => "retriever",
            ObservationType::Evaluator => "evaluator",
            ObservationType::Embedding => "embedding",
            ObservationType::Guardrail => "guardrail",
        }
    }
}

/// The Langfuse observation levels, `level = ...`.
#[derive(Clone, Copy)]
pub(crate) enum Level {
    Debug,
    Default,
    Warning,
    Error,
}

impl Keyword for Level {
    const WHAT: &'static str = "level";
    const ALL: &'static [Self] = &[Level::Debug, Level::Default, Level::Warning, Level::Error];

    fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "DEBUG",
            Level::Default => "DEFAULT",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

/// A closed set of words: option keys and the values of `as_type` and
/// `level`.
pub(crate) trait Keyword: Copy + 'static {
    /// What the word is, for error messages.
    const WHAT: &'static str;
    /// Every word, in the order error messages list them.
    const ALL: &'static [Self];

    /// The canonical spelling, as written in the attribute and recorded on the
    /// span.
    fn as_str(self) -> &'static str;

    /// An error at `tokens`, which spell `written`, listing the valid words.
    fn unknown(tokens: impl ToTokens, written: &str) -> syn::Error {
        let expected = Self::ALL.iter().map(|word| format!("`{}`", word.as_str())).collect::<Vec<_>>().join(", ");
        syn::Error::new_spanned(tokens, format!("unknown {} `{written}`; expected one of {expected}", Self::WHAT))
    }
}

/// The value of `as_type` or `level`: an identifier or a string literal,
/// matched case-insensitively.
fn keyword_value<K: Keyword>(expr: &Expr) -> syn::Result<K> {
    let written = match expr {
        Expr::Path(ExprPath { path, .. }) => path.get_ident().map(|ident| ident.unraw().to_string()),
        Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) => Some(lit.value()),
        _ => None,
    }
    .unwrap_or_else(|| expr.to_token_stream().to_string());
    K::ALL
        .iter()
        .copied()
        .find(|word| word.as_str().eq_ignore_ascii_case(&written))
        .ok_or_else(|| K::unknown(expr, &written))
}

/// The value of `key = value`.
fn value(meta: &Meta) -> syn::Result<&Expr> {
    match meta {
        Meta::NameValue(name_value) => Ok(&name_value.value),
        _ => Err(syn::Error::new_spanned(meta, format!("expected `{} = ...`", meta.path().to_token_stream()))),
    }
}

/// The identifiers of `skip(a, b, ...)`.
fn skip_list(meta: &Meta) -> syn::Result<Vec<Ident>> {
    match meta {
        Meta::List(list) => {
            Ok(list.parse_args_with(Punctuated::<Ident, Token![,]>::parse_terminated)?.into_iter().collect())
        }
        _ => Err(syn::Error::new_spanned(meta, "expected `skip(argument, ...)`")),
    }
}

fn lit_str(expr: &Expr) -> syn::Result<LitStr> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Str(lit), .. }) => Ok(lit.clone()),
        _ => Err(syn::Error::new_spanned(expr, "expected a string literal")),
    }
}

fn lit_bool(expr: &Expr) -> syn::Result<bool> {
    match expr {
        Expr::Lit(ExprLit { lit: Lit::Bool(lit), .. }) => Ok(lit.value),
        _ => Err(syn::Error::new_spanned(expr, "expected `true` or `false`")),
    }
}

/// Collects errors so that all of them are reported at once.
#[derive(Default)]
struct Errors(Option<syn::Error>);

impl Errors {
    fn push(&mut self, error: syn::Error) {
        match &mut self.0 {
            Some(errors) => errors.combine(error),
            None => self.0 = Some(error),
        }
    }

    fn finish(self) -> syn::Result<()> {
        self.0.map_or(Ok(()), Err)
    }
}
