package io.jsyd.oci.spec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import tools.jackson.core.TokenStreamContext;
import tools.jackson.databind.JsonNode;

/**
 * JSON paths as users read them ({@code $.linux.namespaces[1].type}), built from
 * the element lists that the validator, the parser and databind each report in
 * their own way. An element is a String (property name) or an Integer (index).
 */
final class JsonPaths {
    /** Names that read unambiguously after a dot; anything else (sysctl keys, annotations) is bracketed. */
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_-]*");

    private JsonPaths() {
    }

    static String format(List<?> elements) {
        StringBuilder sb = new StringBuilder("$");
        for (Object e : elements) {
            if (e instanceof Integer i) {
                sb.append('[').append(i).append(']');
            } else {
                String name = String.valueOf(e);
                if (PLAIN_NAME.matcher(name).matches()) {
                    sb.append('.').append(name);
                } else {
                    sb.append("[").append(quote(name)).append(']');
                }
            }
        }
        return sb.toString();
    }

    /** Where a streaming parser stood: the innermost property or index it had reached. */
    static List<Object> of(TokenStreamContext context) {
        List<Object> elements = new ArrayList<>();
        for (TokenStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            if (c.inArray()) {
                // Before the first element the index is -1: the problem is at the array itself.
                if (c.getCurrentIndex() >= 0) {
                    elements.addFirst(c.getCurrentIndex());
                }
            } else if (c.currentName() != null) {
                elements.addFirst(c.currentName());
            }
        }
        return elements;
    }

    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\t' -> sb.append("\\t");
                case '\r' -> sb.append("\\r");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /**
     * Orders paths as their nodes appear in the document: object members by their
     * position in the object, array items by index, a parent before its children.
     * Elements the document does not have (a missing required property is reported
     * at its parent anyway) sort last among their siblings.
     */
    static Comparator<List<?>> documentOrder(JsonNode root) {
        return (a, b) -> {
            JsonNode node = root;
            int n = Math.min(a.size(), b.size());
            for (int i = 0; i < n; i++) {
                Object x = a.get(i);
                Object y = b.get(i);
                if (!x.equals(y)) {
                    return Integer.compare(position(node, x), position(node, y));
                }
                node = child(node, x);
            }
            return Integer.compare(a.size(), b.size());
        };
    }

    private static int position(JsonNode node, Object element) {
        if (node == null) {
            return Integer.MAX_VALUE;
        }
        if (element instanceof Integer i) {
            return node.isArray() ? i : Integer.MAX_VALUE;
        }
        if (node.isObject()) {
            int i = 0;
            for (String name : node.propertyNames()) {
                if (name.equals(element)) {
                    return i;
                }
                i++;
            }
        }
        return Integer.MAX_VALUE;
    }

    private static JsonNode child(JsonNode node, Object element) {
        if (node == null) {
            return null;
        }
        return element instanceof Integer i ? node.get(i) : node.get((String) element);
    }
}
