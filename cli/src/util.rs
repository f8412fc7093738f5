//! Small helpers shared by the command modules.

/// An error and its causes on one line: `outer: cause: root cause`.
pub fn one_line(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for (i, cause) in e.chain().enumerate() {
        let text = cause.to_string();
        if i > 0 {
            if out.contains(&text) {
                continue;
            }
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out.replace('\n', " ")
}
