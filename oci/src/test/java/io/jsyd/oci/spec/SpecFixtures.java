package io.jsyd.oci.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Test documents from src/test/resources/spec and the comparison the round trip needs. */
final class SpecFixtures {
    private SpecFixtures() {
    }

    static String text(String resource) {
        try (InputStream in = SpecFixtures.class.getResourceAsStream("/spec/" + resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource spec/" + resource);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A mutable copy of {@code runc spec}'s config, the base most error cases change one thing in. */
    static ObjectNode runcSpec() {
        return (ObjectNode) SpecJson.mapper().readTree(text("generated/runc-spec.json"));
    }

    static Path write(Path dir, String name, JsonNode tree) {
        return write(dir, name, SpecJson.pretty(tree));
    }

    static Path write(Path dir, String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Equality of JSON trees where 5 read as an int equals 5 written from a Long, and
     * 18446744073709551615 equals itself whether it went through BigInteger or not:
     * the model's Java types must not change a value, but may change its node class.
     */
    static final Comparator<JsonNode> BY_VALUE = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            BigDecimal x = a.decimalValue();
            BigDecimal y = b.decimalValue();
            return x.compareTo(y);
        }
        return a.equals(b) ? 0 : 1;
    };

    static boolean sameJson(JsonNode expected, JsonNode actual) {
        return expected.equals(BY_VALUE, actual);
    }
}
