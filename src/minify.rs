//! Smaller theme scripts and style sheets: the theme's `.js` and `.css` files are written
//! without comments and needless white space (GuillaumeGomez's minifier, the one rustdoc
//! uses for its own files). The one module that uses the crate. Only the theme's files: a
//! site's own `static/` is copied as it is.

/// `bytes` of the theme file `rel`, minified when it is a script or a style sheet in UTF-8;
/// as they are otherwise, or when the minifier gives up on them.
pub fn theme_file(rel: &str, bytes: Vec<u8>) -> Vec<u8> {
    let js = rel.ends_with(".js");
    if !js && !rel.ends_with(".css") {
        return bytes;
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return bytes;
    };
    let out = if js {
        minifier::js::minify(text).map(|m| m.to_string())
    } else {
        minifier::css::minify(text).map(|m| m.to_string())
    };
    match out {
        Ok(small) if !small.is_empty() || text.trim().is_empty() => small.into_bytes(),
        _ => bytes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_and_styles_lose_comments_and_white_space_only() {
        let js = "/* a comment */\nvar re = /[\\p{L}]+/u, half = 10 / 2; // done\nfunction f(a, b) {\n  return a + b;\n}\n";
        let out = String::from_utf8(theme_file("x.js", js.into())).unwrap();
        assert!(!out.contains("comment") && !out.contains("done"), "{out}");
        assert!(
            out.contains("/[\\p{L}]+/u") && out.contains("10/2"),
            "{out}"
        );
        let css = "/* c */\n.a { top: calc(100% + 4px); }\n@media (max-width: 40rem) { .b { color: red; } }\n";
        let out = String::from_utf8(theme_file("s.css", css.into())).unwrap();
        assert!(
            out.contains("calc(100% + 4px)") && !out.contains("/* c */"),
            "{out}"
        );
        // Anything else is written as it is.
        assert_eq!(
            theme_file("logo.svg", b"<svg> </svg>".to_vec()),
            b"<svg> </svg>"
        );
    }
}
