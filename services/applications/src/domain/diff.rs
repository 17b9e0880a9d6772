//! The difference between two JSON documents, as the audit trail and the
//! comparison of application versions show it.

use serde_json::{Map, Value, json};

/// Returns `{path: {"from": old, "to": new}}` for every leaf that differs,
/// with paths such as `request.registries` or `legal_basis.dpia_done`.
/// Arrays count as leaves, so a changed list shows whole on both sides.
pub fn diff(before: &Value, after: &Value) -> Value {
    let mut changes = Map::new();
    walk("", before, after, &mut changes);
    Value::Object(changes)
}

fn walk(path: &str, before: &Value, after: &Value, changes: &mut Map<String, Value>) {
    if before == after {
        return;
    }
    if let (Value::Object(old), Value::Object(new)) = (before, after) {
        let mut keys: Vec<&String> = old.keys().chain(new.keys()).collect();
        keys.sort();
        keys.dedup();
        for key in keys {
            let child = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            let old_value = old.get(key).unwrap_or(&Value::Null);
            let new_value = new.get(key).unwrap_or(&Value::Null);
            walk(&child, old_value, new_value, changes);
        }
        return;
    }
    changes.insert(path.to_owned(), json!({"from": before, "to": after}));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_changes_have_dotted_paths() {
        let before = json!({"title": "A", "legal_basis": {"dpia_done": false, "ref": "x"}});
        let after = json!({"title": "A", "legal_basis": {"dpia_done": true, "ref": "x"}});

        let changes = diff(&before, &after);

        assert_eq!(
            changes,
            json!({"legal_basis.dpia_done": {"from": false, "to": true}})
        );
    }

    #[test]
    fn added_and_removed_keys() {
        let changes = diff(&json!({"a": 1}), &json!({"b": [1, 2]}));
        assert_eq!(changes["a"], json!({"from": 1, "to": null}));
        assert_eq!(changes["b"], json!({"from": null, "to": [1, 2]}));
    }

    #[test]
    fn equal_documents_have_no_changes() {
        let value = json!({"a": {"b": [1]}});
        assert_eq!(diff(&value, &value), json!({}));
    }
}
