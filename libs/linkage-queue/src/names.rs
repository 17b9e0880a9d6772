//! The queue names of a run.

use hap_linkage::columnar::RunError;

/// Maximum length of a run id; queue names stay well below AMQP's 255 bytes.
const MAX_RUN_ID: usize = 64;

/// The queues of one run: the task queue every worker consumes, and the
/// coordinator's result queue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunQueues {
    tasks: String,
    results: String,
}

impl RunQueues {
    /// Names the queues of run `run_id`: 1 to 64 lowercase letters, digits
    /// and hyphens.
    pub fn for_run(run_id: &str) -> Result<Self, RunError> {
        let valid = !run_id.is_empty()
            && run_id.len() <= MAX_RUN_ID
            && run_id
                .bytes()
                .all(|byte| byte.is_ascii_lowercase() || byte.is_ascii_digit() || byte == b'-');
        if !valid {
            return Err(RunError::Queue {
                message: format!(
                    "the run id `{run_id}` is not 1 to {MAX_RUN_ID} lowercase letters, digits \
                     and hyphens; derive it from the run's inputs, such as a hex digest"
                ),
            });
        }
        Ok(Self {
            tasks: format!("hap.linkage.run.{run_id}.tasks"),
            results: format!("hap.linkage.run.{run_id}.results"),
        })
    }

    /// Returns the queue the tasks wait in.
    pub fn tasks(&self) -> &str {
        &self.tasks
    }

    /// Returns the queue the outcomes go to, which only the coordinator reads.
    pub fn results(&self) -> &str {
        &self.results
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_run_id() {
        let queues = RunQueues::for_run("0a1b-2c").unwrap();
        assert_eq!(queues.tasks(), "hap.linkage.run.0a1b-2c.tasks");
        assert_eq!(queues.results(), "hap.linkage.run.0a1b-2c.results");
    }

    #[test]
    fn run_id_outside_alphabet_rejected() {
        for id in ["", "A1", "a.b", "a b", &"a".repeat(65)] {
            let error = RunQueues::for_run(id).unwrap_err().to_string();
            assert!(error.contains("lowercase letters"), "{id}: {error}");
        }
    }
}
