package io.jsyd.oci.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.jsyd.oci.spec.SpecJson;
import io.jsyd.oci.spec.model.Spec;
import io.jsyd.oci.spec.model.State;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** The state a hook reads: valid against the runtime-spec state schema for every status it is sent with. */
class HookStateTest {
    private static Schema stateSchema() {
        SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
        return registry.getSchema(SchemaLocation.of("classpath:io/jsyd/oci/spec/schema/state-schema.json"));
    }

    @Test
    void everyStatusIsValidAndCarriesThePidWhileThereIsAProcess() {
        Spec spec = new Spec();
        spec.setOciVersion("1.3.0");
        spec.setAnnotations(Map.of("org.example.k", "v"));
        HookState s = HookState.of(spec, "c1", Path.of("relative/bundle"));
        Schema schema = stateSchema();
        for (String status : List.of("creating", "created", "running", "stopped")) {
            String json = new String(s.render(status, 4242), StandardCharsets.UTF_8);
            assertEquals(List.of(), schema.validate(SpecJson.mapper().readTree(json)), json);
            JsonNode n = SpecJson.mapper().readTree(json);
            assertEquals(status, n.get("status").asString());
            assertEquals(!status.equals("stopped"), n.has("pid"), json);
            assertEquals(Path.of("relative/bundle").toAbsolutePath().toString(), n.get("bundle").asString());
            assertEquals("v", n.get("annotations").get("org.example.k").asString());
        }
        // the schema does refuse a state without its id (the check above can fail)
        tools.jackson.databind.node.ObjectNode noId = (tools.jackson.databind.node.ObjectNode) SpecJson.mapper()
                .readTree(s.render("running", 1));
        noId.remove("id");
        assertFalse(schema.validate(noId).isEmpty());
        // the order the init's RUN_HOOK relies on: the pid comes before bundle and annotations
        String created = new String(s.json(State.Status.CREATED, Integer.MAX_VALUE), StandardCharsets.UTF_8);
        assertEquals("{\"ociVersion\":\"1.3.0\",\"id\":\"c1\",\"status\":\"created\",\"pid\":2147483647,\"bundle\":",
                created.substring(0, created.indexOf("\"bundle\":") + 9));
        assertFalse(new String(HookState.of(new Spec(), "c", Path.of("/b")).render("stopped", 0), StandardCharsets.UTF_8)
                .contains("annotations"));
    }
}
