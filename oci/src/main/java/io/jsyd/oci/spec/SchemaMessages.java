package io.jsyd.oci.spec;

import com.networknt.schema.Error;
import com.networknt.schema.path.NodePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * Turns the validator's errors into one plain line per problem: the JSON path and
 * what was expected there, e.g. {@code $.process.args: expected an array of
 * strings, found a string}. Errors from the branches of an anyOf/oneOf that the
 * value obviously did not mean are dropped, type errors at one path become one
 * line, duplicates go, and the rest is put in document order.
 */
final class SchemaMessages {
    private static final int MAX_VALUE_CHARS = 60;

    private final SchemaDocuments docs;

    SchemaMessages(SchemaDocuments docs) {
        this.docs = docs;
    }

    private record Item(List<Object> path, Error error) {
    }

    List<SpecProblem> translate(Path file, JsonNode root, List<Error> errors) {
        List<Item> items = new ArrayList<>();
        for (Error e : errors) {
            // "valid against none of the oneOf branches" adds nothing to the branches' own errors.
            if (!("oneOf".equals(e.getKeyword()) && validBranches(e) == 0)) {
                items.add(new Item(elements(e.getInstanceLocation()), e));
            }
        }
        items = dropUnmeantBranches(items);

        // Type errors at one path (anyOf alternatives) read as one expectation.
        Map<List<Object>, Set<String>> expectedTypes = new LinkedHashMap<>();
        List<Item> kept = new ArrayList<>();
        for (Item item : items) {
            if ("type".equals(item.error().getKeyword())) {
                Set<String> set = expectedTypes.computeIfAbsent(item.path(), p -> new LinkedHashSet<>());
                if (set.isEmpty()) {
                    kept.add(item);
                }
                set.add(docs.expected(parent(item.error())));
            } else {
                kept.add(item);
            }
        }

        var inDocumentOrder = JsonPaths.documentOrder(root);
        kept.sort((a, b) -> inDocumentOrder.compare(a.path(), b.path()));
        Set<SpecProblem> problems = new LinkedHashSet<>();
        for (Item item : kept) {
            String message = "type".equals(item.error().getKeyword())
                    ? "expected " + String.join(" or ", expectedTypes.get(item.path()))
                            + ", found " + found(item.error().getInstanceNode())
                    : message(item.error());
            problems.add(new SpecProblem(file, JsonPaths.format(item.path()), message));
        }
        return List.copyOf(problems);
    }

    private String message(Error e) {
        JsonNode value = e.getInstanceNode();
        String keyword = e.getKeyword() == null ? "" : e.getKeyword();
        return switch (keyword) {
            case "required" -> "required property \"" + requiredName(e) + "\" is missing";
            case "enum" -> show(value) + " is not one of " + SchemaDocuments.enumList(e.getSchemaNode());
            case "pattern" -> show(value) + " does not match the pattern " + e.getSchemaNode().asString();
            case "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum" ->
                    show(value) + " is out of range: expected " + docs.expected(parent(e));
            case "minItems" -> "expected at least " + e.getSchemaNode().asInt() + " items, found " + value.size();
            case "maxItems" -> "expected at most " + e.getSchemaNode().asInt() + " items, found " + value.size();
            case "uniqueItems" -> "items must be unique";
            case "minLength" -> show(value) + " is too short: expected at least " + e.getSchemaNode().asInt()
                    + " characters";
            case "maxLength" -> show(value) + " is too long: expected at most " + e.getSchemaNode().asInt()
                    + " characters";
            case "additionalProperties" -> "property \"" + e.getProperty() + "\" is not allowed here";
            case "oneOf" -> "matches more than one of the allowed forms";
            case "not" -> show(value) + " is not allowed here";
            default -> lowerFirst(e.getMessage());
        };
    }

    private static int validBranches(Error e) {
        // The validator passes its message arguments as text.
        Object[] args = e.getArguments();
        if (args == null || args.length == 0) {
            return -1;
        }
        try {
            return Integer.parseInt(String.valueOf(args[0]).strip());
        } catch (NumberFormatException notACount) {
            return -1;
        }
    }

    private static String requiredName(Error e) {
        if (e.getProperty() != null) {
            return e.getProperty();
        }
        Object[] args = e.getArguments();
        return args != null && args.length > 0 ? String.valueOf(args[0]) : "?";
    }

    /** The sub-schema that holds the failing keyword: ".../uint32/minimum" -> ".../uint32". */
    private SchemaDocuments.Node parent(Error e) {
        String iri = e.getSchemaLocation().toString();
        int slash = iri.lastIndexOf('/');
        int hash = iri.indexOf('#');
        String parentIri = slash > hash ? iri.substring(0, slash) : iri;
        return docs.at(parentIri);
    }

    /**
     * In an anyOf/oneOf, a branch whose only complaint is the value's type was not the
     * branch the author meant if another branch accepted the type and failed on
     * something deeper: reporting "expected a string" for an object that lacks one
     * required property would mislead.
     */
    private static List<Item> dropUnmeantBranches(List<Item> items) {
        Map<List<Object>, Map<Object, List<Item>>> byCombinator = new HashMap<>();
        for (Item item : items) {
            List<Object> eval = elements(item.error().getEvaluationPath());
            int at = lastCombinator(eval);
            if (at >= 0 && at + 1 < eval.size()) {
                byCombinator.computeIfAbsent(List.copyOf(eval.subList(0, at + 1)), k -> new LinkedHashMap<>())
                        .computeIfAbsent(eval.get(at + 1), k -> new ArrayList<>())
                        .add(item);
            }
        }
        Set<Item> drop = new HashSet<>();
        for (Map<Object, List<Item>> branches : byCombinator.values()) {
            // The shallowest error stands for where the anyOf/oneOf applies.
            int top = branches.values().stream().flatMap(List::stream)
                    .mapToInt(i -> i.path().size()).min().orElse(0);
            List<List<Item>> typeMisses = new ArrayList<>();
            boolean someBranchGotFurther = false;
            for (List<Item> branch : branches.values()) {
                boolean typeMiss = branch.stream().allMatch(
                        i -> "type".equals(i.error().getKeyword()) && i.path().size() == top);
                if (typeMiss) {
                    typeMisses.add(branch);
                } else {
                    someBranchGotFurther = true;
                }
            }
            if (someBranchGotFurther) {
                typeMisses.forEach(drop::addAll);
            }
        }
        if (drop.isEmpty()) {
            return items;
        }
        List<Item> kept = new ArrayList<>(items);
        kept.removeAll(drop);
        return kept;
    }

    private static int lastCombinator(List<Object> eval) {
        for (int i = eval.size() - 1; i >= 0; i--) {
            if ("anyOf".equals(eval.get(i)) || "oneOf".equals(eval.get(i))) {
                return i;
            }
        }
        return -1;
    }

    static List<Object> elements(NodePath path) {
        List<Object> elements = new ArrayList<>(path.getNameCount());
        for (int i = 0; i < path.getNameCount(); i++) {
            Object e = path.getElement(i);
            elements.add(e instanceof Number n ? Integer.valueOf(n.intValue()) : String.valueOf(e));
        }
        return elements;
    }

    static String found(JsonNode value) {
        if (value == null || value.isMissingNode()) {
            return "nothing";
        }
        if (value.isString()) {
            return "a string";
        }
        if (value.isIntegralNumber()) {
            return "an integer";
        }
        if (value.isNumber()) {
            return "a number with a fraction";
        }
        if (value.isBoolean()) {
            return "a boolean";
        }
        if (value.isNull()) {
            return "null";
        }
        if (value.isArray()) {
            return "an array";
        }
        return value.isObject() ? "an object" : "a value";
    }

    /** A value as JSON text, shortened so that one problem stays one line. */
    static String show(JsonNode value) {
        if (value == null) {
            return "the value";
        }
        String text = value.isString() ? JsonPaths.quote(value.asString()) : value.toString();
        return text.length() <= MAX_VALUE_CHARS ? text : text.substring(0, MAX_VALUE_CHARS - 3) + "...";
    }

    private static String lowerFirst(String s) {
        if (s == null || s.isEmpty()) {
            return "does not match the schema";
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
}
