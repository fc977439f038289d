package io.jsyd.oci.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.SpecProblem;
import io.jsyd.oci.spec.model.Spec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * A bundle in a temporary directory with a rootfs/ directory, whose config is
 * the one `runc spec` (runc 1.1.5) writes, changed by a JSON merge patch (RFC 7386).
 */
final class TestBundle {
    static final String RUNC_SPEC = "runc-spec.json";

    final Path dir;
    final Path config;

    TestBundle(Path dir) {
        this.dir = dir;
        this.config = dir.resolve("config.json");
        try {
            Files.createDirectories(dir.resolve("rootfs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectNode resource(String name) {
        try (InputStream in = TestBundle.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return (ObjectNode) SpecJson.mapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ValidationReport validate(ObjectNode config) {
        Spec spec = SpecJson.mapper().treeToValue(config, Spec.class);
        return SpecValidator.validate(dir, this.config, spec);
    }

    /** runc's default config with the patch applied. */
    ValidationReport validate(String patch) {
        ObjectNode config = resource(RUNC_SPEC);
        merge(config, SpecJson.mapper().readTree(patch));
        return validate(config);
    }

    /** Asserts exactly these errors ("$.path: message") and no warnings. */
    void assertErrors(String patch, String... expected) {
        ValidationReport report = validate(patch);
        assertEquals(List.of(expected), lines(report.errors()), "errors");
        assertEquals(List.of(), lines(report.warnings()), "warnings");
    }

    /** Asserts exactly these warnings and no errors. */
    void assertWarnings(String patch, String... expected) {
        ValidationReport report = validate(patch);
        assertEquals(List.of(), lines(report.errors()), "errors");
        assertEquals(List.of(expected), lines(report.warnings()), "warnings");
    }

    void assertClean(String patch) {
        assertErrors(patch);
    }

    static List<String> lines(List<SpecProblem> problems) {
        return problems.stream().map(p -> p.jsonPath() + ": " + p.message()).toList();
    }

    private static void merge(ObjectNode target, JsonNode patch) {
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            JsonNode value = e.getValue();
            JsonNode current = target.get(e.getKey());
            if (value.isNull()) {
                target.remove(e.getKey());
            } else if (value.isObject() && current != null && current.isObject()) {
                merge((ObjectNode) current, value);
            } else {
                target.set(e.getKey(), value);
            }
        }
    }
}
