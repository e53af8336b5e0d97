//! [`ExperimentItem`]: what a task is run on, from a dataset or made by hand.

use serde_json::Value;

use crate::model::DatasetItem;

/// One input an experiment runs its task on: a dataset item, or an item of your own.
#[derive(Clone, Debug, PartialEq)]
pub struct ExperimentItem {
    /// The task's input.
    pub input: Value,
    /// What a good answer looks like.
    pub expected_output: Option<Value>,
    /// Free metadata.
    pub metadata: Option<Value>,
    /// The dataset item it is, if any.
    pub dataset_item: Option<DatasetItemRef>,
}

/// The dataset item an [`ExperimentItem`] was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatasetItemRef {
    /// The item's id.
    pub id: String,
    /// Its dataset's id.
    pub dataset_id: String,
}

impl ExperimentItem {
    /// An item of your own with this input.
    pub fn new(input: Value) -> Self {
        Self { input, expected_output: None, metadata: None, dataset_item: None }
    }

    /// Its expected output.
    pub fn expected_output(mut self, expected_output: Value) -> Self {
        self.expected_output = Some(expected_output);
        self
    }

    /// Its metadata.
    pub fn metadata(mut self, metadata: Value) -> Self {
        self.metadata = Some(metadata);
        self
    }
}

impl From<&DatasetItem> for ExperimentItem {
    fn from(item: &DatasetItem) -> Self {
        Self {
            input: item.input.clone().unwrap_or(Value::Null),
            expected_output: item.expected_output.clone(),
            metadata: item.metadata.clone(),
            dataset_item: Some(DatasetItemRef { id: item.id.clone(), dataset_id: item.dataset_id.clone() }),
        }
    }
}

impl From<DatasetItem> for ExperimentItem {
    fn from(item: DatasetItem) -> Self {
        Self::from(&item)
    }
}
