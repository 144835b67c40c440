//! The manual's example queries (`docs/querying.md`, then `docs/journalists.md`), read from the
//! pages built into the binary, so that GraphiQL's tabs and the landing page's links never drift
//! from the manual (whose every example a test runs against the real data).
//!
//! An example is a ```` ```graphql ```` block; its title is the bold text of the paragraph just
//! above the block, and that paragraph is its description.

use std::sync::LazyLock;

/// The pages of the manual that hold the examples, in the order the README lists them, as they
/// were when the binary was built.
const PAGES: [&str; 2] = [include_str!("../../docs/querying.md"), include_str!("../../docs/journalists.md")];

/// How many of the examples GraphiQL opens as tabs beside the welcome tab: the first ones of
/// `docs/querying.md`. More tabs than fit across the window hide their titles; the welcome query
/// links the others, and so does the landing page.
pub const OPEN_EXAMPLES: usize = 4;

/// The head of the first GraphiQL tab: what the page is and how to use it.
const WELCOME_HEAD: &str = "# The Khartoum Process, as a GraphQL API.
#
# Run this query with the ▶ button or Ctrl-Enter.
# The Docs pane (book icon, top left) describes
# every type and field. The Explorer (third icon)
# builds a query from the fields you tick: open a
# new tab (+) first.
# Reads need no token. Mutations need one: see the
# Headers tab below.
#
# The next tabs hold a few of the manual's example
# queries. Each of the others opens in a tab of its
# own from its link:
";

/// The query of the first GraphiQL tab: worth running on its own.
const WELCOME_QUERY: &str = r#"query Welcome {
  dataset {
    version lastChange
    states organizations meetings chairmanships commitments
  }
  process(slug: "khartoum-process") {
    id name alias established
    chairmanships { id chair { id name } start end isCurrent }
  }
}
"#;

/// One example query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// A short title: the paragraph's bold text, e.g. "The chair timeline".
    pub title: String,
    /// The whole paragraph above the block, as plain text.
    pub description: String,
    /// A URL-safe name, unique among the examples: `the-chair-timeline`.
    pub slug: String,
    /// The query as the manual shows it.
    pub query: String,
}

impl Example {
    /// The query as a GraphiQL tab shows it: with its description as a comment, and named when the
    /// manual's is anonymous, because GraphiQL titles a tab with the operation's name.
    pub fn tab_query(&self) -> String {
        let mut out: String = wrap(&self.description, 60).iter().map(|line| format!("# {line}\n")).collect();
        let query = self.query.trim_start();
        if query.starts_with('{') {
            out.push_str(&format!("query {} ", operation_name(&self.title)));
        }
        out.push_str(query);
        out
    }
}

/// The query GraphiQL opens with: how to use the page, a link to each example that does not
/// open as a tab, and a query worth running on its own.
pub fn welcome_query() -> &'static str {
    static WELCOME: LazyLock<String> = LazyLock::new(|| {
        let links: String = examples()
            .iter()
            .skip(OPEN_EXAMPLES)
            .map(|e| {
                let lines = wrap(&e.title, 52);
                let title: String = lines
                    .iter()
                    .enumerate()
                    .map(|(i, l)| format!("# {} {l}\n", if i == 0 { "-" } else { " " }))
                    .collect();
                format!("{title}#   /graphql#example-{}\n", e.slug)
            })
            .collect();
        format!("{WELCOME_HEAD}{links}{WELCOME_QUERY}")
    });
    &WELCOME
}

/// The manual's examples, in the order its pages give them.
pub fn examples() -> &'static [Example] {
    static EXAMPLES: LazyLock<Vec<Example>> = LazyLock::new(|| PAGES.iter().flat_map(|page| parse(page)).collect());
    &EXAMPLES
}

/// Reads every ```` ```graphql ```` block of a Markdown text with the paragraph above it.
fn parse(markdown: &str) -> Vec<Example> {
    let mut examples: Vec<Example> = Vec::new();
    // The latest paragraph, kept across the blank line that separates it from a fence.
    let mut paragraph: Vec<&str> = Vec::new();
    let mut ended = false;
    let mut lines = markdown.lines();
    while let Some(line) = lines.next() {
        let fence = line.trim_start();
        if let Some(lang) = fence.strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| !l.trim_start().starts_with("```")).collect();
            if lang.trim() == "graphql" {
                let description = plain(&paragraph.join(" "));
                let title = title(&paragraph.join(" ")).unwrap_or_else(|| description.clone());
                let mut slug = slugify(&title);
                if slug.is_empty() || examples.iter().any(|e| e.slug == slug) {
                    slug = format!("{}-{}", if slug.is_empty() { "example" } else { &slug }, examples.len() + 1);
                }
                examples.push(Example { title, description, slug, query: body.join("\n") + "\n" });
            }
            paragraph.clear();
        } else if line.trim().is_empty() {
            ended = true;
        } else {
            if ended {
                paragraph.clear();
                ended = false;
            }
            paragraph.push(line.trim());
        }
    }
    examples
}

/// The bold text of a paragraph, if any.
fn title(paragraph: &str) -> Option<String> {
    let (_, rest) = paragraph.split_once("**")?;
    let (bold, _) = rest.split_once("**")?;
    Some(plain(bold))
}

/// Markdown emphasis and code marks removed; a trailing colon dropped.
fn plain(text: &str) -> String {
    let text = text.replace("**", "").replace('`', "");
    text.trim().trim_end_matches(':').trim().to_owned()
}

/// Lower-case words of letters and digits, joined by hyphens.
fn slugify(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_lowercase)
        .collect::<Vec<_>>()
        .join("-")
}

/// An operation name from a title: its first six words that are not articles, in PascalCase
/// ("Every meeting Germany co-hosted" → `EveryMeetingGermanyCoHosted`).
fn operation_name(title: &str) -> String {
    let name: String = title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty() && !["a", "an", "the", "and"].contains(&w.to_ascii_lowercase().as_str()))
        .take(6)
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map(|c| c.to_ascii_uppercase().to_string() + chars.as_str()).unwrap_or_default()
        })
        .collect();
    // A GraphQL name cannot start with a digit.
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("Example{name}")
    } else {
        name
    }
}

/// Splits text into lines of at most `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_graphql_block_of_the_manual_is_an_example() {
        let blocks: usize = PAGES.iter().map(|page| page.matches("```graphql\n").count()).sum();
        assert!(blocks >= 8, "{blocks}");
        assert_eq!(examples().len(), blocks);
    }

    #[test]
    fn examples_have_titles_and_unique_slugs() {
        let mut slugs: Vec<&str> = examples().iter().map(|e| e.slug.as_str()).collect();
        for e in examples() {
            assert!(!e.title.is_empty() && !e.title.contains('*'), "{e:?}");
            assert!(e.slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{e:?}");
        }
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), examples().len());
    }

    #[test]
    fn a_tab_query_is_named_commented_and_still_parses() {
        for e in examples() {
            let tab = e.tab_query();
            assert!(tab.starts_with("# "), "{tab}");
            let doc = async_graphql::parser::parse_query(&tab).unwrap_or_else(|err| panic!("{err}:\n{tab}"));
            let named = doc.operations.iter().all(|(name, _)| name.is_some());
            assert!(named, "GraphiQL would title this tab <untitled>:\n{tab}");
        }
        assert!(async_graphql::parser::parse_query(welcome_query()).is_ok());
    }

    #[test]
    fn the_welcome_query_links_every_example_that_does_not_open_as_a_tab() {
        assert!(examples().len() > OPEN_EXAMPLES, "more examples than open tabs");
        for (i, e) in examples().iter().enumerate() {
            let link = format!("/graphql#example-{}\n", e.slug);
            assert_eq!(welcome_query().contains(&link), i >= OPEN_EXAMPLES, "{link}");
        }
    }

    #[test]
    fn titles_become_operation_names_and_slugs() {
        assert_eq!(operation_name("Every meeting Germany co-hosted"), "EveryMeetingGermanyCoHosted");
        assert_eq!(operation_name("The chair timeline"), "ChairTimeline");
        assert_eq!(operation_name("2023 in review"), "Example2023InReview");
        assert_eq!(slugify("Who organises with whom"), "who-organises-with-whom");
    }

    #[test]
    fn a_paragraph_above_the_block_gives_the_title_and_description() {
        let md = "Intro.\n\n**Two things**, said\nover two lines:\n\n```graphql\n{ a }\n```\n\n```sh\nx\n```\n";
        let got = parse(md);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].title, "Two things");
        assert_eq!(got[0].description, "Two things, said over two lines");
        assert_eq!(got[0].query, "{ a }\n");
    }
}
