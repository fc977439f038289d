package io.jsyd.oci.spec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The schemas on the classpath refer to each other only by relative names, and every
 * reference lands on a schema: validation never needs the network or the Debian
 * schema directory at run time.
 */
class SchemaResourcesTest {
    @Test
    void everyRefFromTheConfigSchemaIsRelativeAndResolves() {
        SchemaDocuments docs = new SchemaDocuments(SchemaDocuments.SPEC_SCHEMAS);
        Deque<SchemaDocuments.Node> todo = new ArrayDeque<>();
        todo.add(docs.at("config-schema.json#"));
        Set<String> seen = new HashSet<>();
        List<String> refs = new ArrayList<>();
        while (!todo.isEmpty()) {
            SchemaDocuments.Node n = todo.pop();
            for (JsonNode ref : n.schema().findValues("$ref")) {
                String r = ref.asString();
                refs.add(r);
                assertFalse(r.contains(":"), "absolute $ref " + r + " in " + n.file());
                String target = r.startsWith("#") ? n.file() + r : r;
                if (seen.add(target)) {
                    SchemaDocuments.Node t = docs.at(target);
                    assertTrue(t.schema().isObject(), r + " in " + n.file() + " resolves to nothing");
                    todo.add(t);
                }
            }
        }
        assertTrue(refs.size() > 50, "walked the real schema graph, not an empty one: " + refs.size());
    }
}
