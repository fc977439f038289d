package io.jsyd.oci.image;

import io.jsyd.oci.ImageException;
import io.jsyd.oci.spec.SpecJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reading the image's JSON documents (index, manifests, configs) as trees, with
 * errors that name the document and the field. Absent and null fields read as
 * empty; a field of the wrong type is an error.
 */
final class ImageJson {
    private ImageJson() {
    }

    static JsonNode parse(byte[] json, String document) throws ImageException {
        JsonNode node;
        try {
            node = SpecJson.mapper().readTree(json);
        } catch (JacksonException e) {
            throw new ImageException(document + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || node.isMissingNode()) {
            throw new ImageException(document + ": empty document");
        }
        return node;
    }

    static JsonNode object(JsonNode node, String field, String document) throws ImageException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new ImageException(document + ": " + field + " must be an object");
        }
        return v;
    }

    static String string(JsonNode node, String field, String document) throws ImageException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isString()) {
            throw new ImageException(document + ": " + field + " must be a string");
        }
        return v.stringValue();
    }

    static long number(JsonNode node, String field, String document) throws ImageException {
        JsonNode v = node.get(field);
        if (v == null || !v.isIntegralNumber()) {
            throw new ImageException(document + ": " + field + " must be an integer");
        }
        return v.longValue();
    }

    static List<JsonNode> array(JsonNode node, String field, String document) throws ImageException {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw new ImageException(document + ": " + field + " must be an array");
        }
        return new ArrayList<>(v.values());
    }

    static List<String> strings(JsonNode node, String field, String document) throws ImageException {
        List<String> out = new ArrayList<>();
        int i = 0;
        for (JsonNode v : array(node, field, document)) {
            if (!v.isString()) {
                throw new ImageException(document + ": " + field + "[" + i + "] must be a string");
            }
            out.add(v.stringValue());
            i++;
        }
        return out;
    }

    /** A map of strings, in document order. */
    static Map<String, String> stringMap(JsonNode node, String field, String document) throws ImageException {
        JsonNode v = object(node, field, document);
        Map<String, String> out = new LinkedHashMap<>();
        if (v == null) {
            return out;
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            if (!e.getValue().isString()) {
                throw new ImageException(document + ": " + field + "." + e.getKey() + " must be a string");
            }
            out.put(e.getKey(), e.getValue().stringValue());
        }
        return out;
    }

    /** The keys of an object used as a set ({"80/tcp": {}}). */
    static List<String> keys(JsonNode node, String field, String document) throws ImageException {
        JsonNode v = object(node, field, document);
        return v == null ? List.of() : new ArrayList<>(v.propertyNames());
    }

    static Descriptor descriptor(JsonNode node, String document) throws ImageException {
        if (node == null || !node.isObject()) {
            throw new ImageException(document + ": a descriptor must be an object");
        }
        Digest digest = Digest.parse(string(node, "digest", document), document + ": digest");
        long size = number(node, "size", document);
        if (size < 0) {
            throw new ImageException(document + ": size must not be negative");
        }
        Platform platform = null;
        JsonNode p = object(node, "platform", document);
        if (p != null) {
            platform = new Platform(string(p, "os", document), string(p, "architecture", document),
                    string(p, "variant", document));
        }
        return new Descriptor(string(node, "mediaType", document), digest, size, platform,
                stringMap(node, "annotations", document));
    }
}
