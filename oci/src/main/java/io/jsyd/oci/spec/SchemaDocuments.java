package io.jsyd.oci.spec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.core.JsonPointer;
import tools.jackson.databind.JsonNode;

/**
 * The merged runtime-spec schemas as plain JSON, to say in words what a schema
 * location expects ("an array of strings", "an integer from 0 to 4294967295").
 * The validator reports only the failing keyword's own value; the words need the
 * whole sub-schema and the definitions it refers to. Loaded only when a document
 * has problems.
 */
final class SchemaDocuments {
    /** Where the build puts the merged runtime-spec schemas. */
    static final String SPEC_SCHEMAS = "io/jsyd/oci/spec/schema/";

    /** A sub-schema and the file its relative $refs resolve against. */
    record Node(String file, JsonNode schema) {
    }

    private final String resourceDir;
    private final Map<String, JsonNode> files = new ConcurrentHashMap<>();

    /** The schemas under {@code resourceDir} on the classpath, which the validator knows as {@link #iri}. */
    SchemaDocuments(String resourceDir) {
        this.resourceDir = resourceDir;
    }

    static String iri(String resourceDir, String file) {
        return "classpath:" + resourceDir + file;
    }

    /** {@code classpath:DIR/defs.json#/definitions/uint32} -> that node. */
    Node at(String iri) {
        String prefix = iri(resourceDir, "");
        String s = iri.startsWith(prefix) ? iri.substring(prefix.length()) : iri;
        int hash = s.indexOf('#');
        String file = hash < 0 ? s : s.substring(0, hash);
        String pointer = hash < 0 ? "" : s.substring(hash + 1);
        JsonNode node = file(file).at(JsonPointer.compile(pointer));
        return new Node(file, node);
    }

    private JsonNode file(String name) {
        return files.computeIfAbsent(name, n -> {
            try (InputStream in = SchemaDocuments.class.getClassLoader().getResourceAsStream(resourceDir + n)) {
                if (in == null) {
                    throw new IllegalStateException("schema resource missing from the build: " + resourceDir + n);
                }
                return SpecJson.mapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /** Follows $ref (relative to the node's file) until a schema with content. */
    Node resolve(Node node) {
        Node n = node;
        for (int hops = 0; hops < 16 && n.schema().has("$ref"); hops++) {
            String ref = n.schema().get("$ref").asString();
            n = ref.startsWith("#") ? at(n.file() + ref) : at(ref);
        }
        return n;
    }

    /** "an array of strings", "one of a, b", "an integer from 0 to 255", "an object", ... */
    String expected(Node node) {
        Node n = resolve(node);
        JsonNode s = n.schema();
        if (s.has("enum")) {
            return "one of " + enumList(s.get("enum"));
        }
        List<String> types = types(s);
        if (types.isEmpty()) {
            for (JsonNode part : s.path("allOf")) {
                List<String> inner = types(resolve(new Node(n.file(), part)).schema());
                if (!inner.isEmpty()) {
                    return expected(new Node(n.file(), part));
                }
            }
            return "a value";
        }
        List<String> words = new ArrayList<>();
        for (String type : types) {
            words.add(switch (type) {
                case "array" -> s.has("items") && s.get("items").isObject()
                        ? "an array of " + plural(new Node(n.file(), s.get("items")))
                        : "an array";
                case "object" -> "an object";
                case "string" -> "a string";
                case "integer" -> "an integer" + range(s);
                case "number" -> "a number" + range(s);
                case "boolean" -> "a boolean";
                case "null" -> "null";
                default -> type;
            });
        }
        return String.join(" or ", words);
    }

    /** The range part alone, for "-1 is out of range: expected ...". */
    String range(Node node) {
        return range(resolve(node).schema());
    }

    private String plural(Node items) {
        Node n = resolve(items);
        JsonNode s = n.schema();
        if (s.has("enum")) {
            return "strings (each one of " + enumList(s.get("enum")) + ")";
        }
        List<String> types = types(s);
        if (types.size() != 1) {
            return "values";
        }
        return switch (types.getFirst()) {
            case "array" -> "arrays";
            case "object" -> "objects";
            case "string" -> "strings";
            case "integer" -> "integers" + range(s);
            case "number" -> "numbers" + range(s);
            case "boolean" -> "booleans";
            default -> "values";
        };
    }

    private static List<String> types(JsonNode s) {
        JsonNode type = s.get("type");
        List<String> types = new ArrayList<>();
        if (type != null && type.isString()) {
            types.add(type.asString());
        } else if (type != null && type.isArray()) {
            type.forEach(t -> types.add(t.asString()));
        }
        return types;
    }

    private static String range(JsonNode s) {
        JsonNode min = s.get("minimum");
        JsonNode max = s.get("maximum");
        boolean exMin = s.path("exclusiveMinimum").asBoolean(false);
        boolean exMax = s.path("exclusiveMaximum").asBoolean(false);
        if (min != null && max != null && !exMin && !exMax) {
            return " from " + number(min) + " to " + number(max);
        }
        List<String> parts = new ArrayList<>();
        if (min != null) {
            parts.add((exMin ? "above " : "of at least ") + number(min));
        }
        if (max != null) {
            parts.add((exMax ? "below " : "of at most ") + number(max));
        }
        return parts.isEmpty() ? "" : " " + String.join(" and ", parts);
    }

    private static String number(JsonNode n) {
        if (n.isIntegralNumber()) {
            return n.bigIntegerValue().toString();
        }
        // Integral bounds that were written as floating point still read as integers.
        try {
            BigInteger exact = n.decimalValue().toBigIntegerExact();
            return exact.toString();
        } catch (ArithmeticException e) {
            return n.asString();
        }
    }

    static String enumList(JsonNode values) {
        List<String> words = new ArrayList<>();
        for (JsonNode v : values) {
            words.add(v.isString() ? v.asString() : v.toString());
        }
        return String.join(", ", words);
    }
}
