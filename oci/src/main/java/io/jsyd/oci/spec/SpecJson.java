package io.jsyd.oci.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one JSON configuration of the front end. Spec documents keep unknown fields
 * (the spec allows extensions), never gain fields that were absent, and keep the
 * order in which the model declares them.
 */
public final class SpecJson {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .changeDefaultPropertyInclusion(v -> v.withValueInclusion(JsonInclude.Include.NON_NULL))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private SpecJson() {
    }

    /** Thread-safe and immutable: safe to share (it holds no per-request state). */
    public static JsonMapper mapper() {
        return MAPPER;
    }

    /** Pretty-printed, as runc writes config.json and state. */
    public static String pretty(Object value) throws JacksonException {
        return MAPPER.writer().with(SerializationFeature.INDENT_OUTPUT).writeValueAsString(value);
    }

    public static String compact(Object value) throws JacksonException {
        return MAPPER.writeValueAsString(value);
    }

    public static JsonNode tree(Object value) throws JacksonException {
        return MAPPER.valueToTree(value);
    }
}
