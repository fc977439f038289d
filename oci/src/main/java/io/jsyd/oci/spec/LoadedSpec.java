package io.jsyd.oci.spec;

import io.jsyd.oci.spec.model.Spec;
import java.nio.file.Path;
import tools.jackson.databind.JsonNode;

/**
 * A config.json that passed schema validation and bound to the model. The tree is
 * kept beside the model because the second validation stage and error messages
 * want the document as written (field order, numbers beyond the model's types).
 */
public record LoadedSpec(Path file, JsonNode tree, Spec spec) {
}
