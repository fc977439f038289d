import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Build step: lays the project's runtime-spec 1.3 overlay over the 1.0.x schemas
 * that Debian ships, so that the generated model and the validator both see 1.3.
 *
 * Usage: SchemaOverlay BASE_DIR OVERLAY_DIR OUT_DIR
 *
 * Objects merge key by key (the overlay wins on scalars); arrays become the union
 * of both in order, which is what enum and "required" lists need. A file present
 * only in the overlay is taken as it is.
 */
public final class SchemaOverlay {
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: SchemaOverlay BASE_DIR OVERLAY_DIR OUT_DIR");
            System.exit(2);
        }
        Path base = Path.of(args[0]);
        Path overlay = Path.of(args[1]);
        Path out = Path.of(args[2]);
        if (!Files.isRegularFile(base.resolve("config-schema.json"))) {
            System.err.println("runtime-spec schemas not found in " + base
                    + ": install Debian's golang-github-opencontainers-specs-dev"
                    + " (scripts/setup does), or pass -Doci.schema.dir=DIR");
            System.exit(1);
        }
        ObjectMapper mapper = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        Files.createDirectories(out);
        List<String> names = new ArrayList<>();
        for (Path dir : List.of(base, overlay)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> p.getFileName().toString())
                        .filter(n -> n.endsWith(".json") && !names.contains(n))
                        .forEach(names::add);
            }
        }
        for (String name : names) {
            Path b = base.resolve(name);
            Path o = overlay.resolve(name);
            JsonNode merged;
            if (Files.exists(b) && Files.exists(o)) {
                merged = merge(mapper.readTree(b.toFile()), mapper.readTree(o.toFile()));
            } else {
                merged = mapper.readTree((Files.exists(b) ? b : o).toFile());
            }
            mapper.writeValue(out.resolve(name).toFile(), merged);
        }
    }

    static JsonNode merge(JsonNode base, JsonNode overlay) {
        if (base instanceof ObjectNode bo && overlay instanceof ObjectNode oo) {
            ObjectNode result = bo.deepCopy();
            for (var e : oo.properties()) {
                JsonNode existing = result.get(e.getKey());
                result.set(e.getKey(), existing == null ? e.getValue() : merge(existing, e.getValue()));
            }
            return result;
        }
        if (base instanceof ArrayNode ba && overlay instanceof ArrayNode oa) {
            ArrayNode result = ba.deepCopy();
            for (JsonNode item : oa) {
                boolean present = false;
                for (JsonNode have : result) {
                    present |= have.equals(item);
                }
                if (!present) {
                    result.add(item);
                }
            }
            return result;
        }
        return overlay;
    }
}
