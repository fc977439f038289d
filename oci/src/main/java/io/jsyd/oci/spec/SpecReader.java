package io.jsyd.oci.spec;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.jsyd.oci.InvalidSpecException;
import io.jsyd.oci.spec.model.Spec;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.databind.JsonNode;

/**
 * Reads OCI spec documents: the file, then JSON, then the runtime-spec schema
 * (stage 1 of validation), then the generated model. Every way a document can be
 * unusable ends in an {@link InvalidSpecException} whose problems name the file,
 * the JSON path and what was expected; nothing here lets a stack trace or a
 * library's class name reach the user.
 *
 * <p>Immutable and thread-safe. Construction is free; the schemas are compiled on
 * the first validation and kept for the life of the instance, so a long-lived
 * process should keep one reader.
 */
public final class SpecReader {
    /** A config.json is a few kilobytes; the cap only keeps /dev/zero and the like from filling memory. */
    static final int MAX_BYTES = 16 << 20;

    private final Lazy<SchemaRegistry> registry = new Lazy<>(SpecReader::newRegistry);
    private final Lazy<Schema> configSchema = new Lazy<>(() -> compile("config-schema.json"));
    private final Lazy<Schema> processSchema = new Lazy<>(() -> compile("config-schema.json#/properties/process"));
    private final Lazy<Schema> resourcesSchema =
            new Lazy<>(() -> compile("config-linux.json#/linux/properties/resources"));
    private final Lazy<SchemaMessages> messages =
            new Lazy<>(() -> new SchemaMessages(new SchemaDocuments(SchemaDocuments.SPEC_SCHEMAS)));

    public SpecReader() {
    }

    /** {@code bundleDir/config.json}, validated and bound. */
    public LoadedSpec readBundle(Path bundleDir) throws InvalidSpecException {
        return read(bundleDir.resolve("config.json"));
    }

    /** Reads, schema-validates and binds one config.json. */
    public LoadedSpec read(Path configJson) throws InvalidSpecException {
        JsonNode tree = readTree(configJson);
        List<SpecProblem> problems = schemaProblems(configJson, tree);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        return new LoadedSpec(configJson, tree, bind(configJson, tree, Spec.class));
    }

    /**
     * The process document of {@code exec --process}: the same object as a config's
     * {@code process}, so it is checked against that part of the config schema.
     */
    public io.jsyd.oci.spec.model.Process readProcess(Path processJson) throws InvalidSpecException {
        JsonNode tree = readTree(processJson);
        List<SpecProblem> problems = problems(processSchema.get(), processJson, tree);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        return bind(processJson, tree, io.jsyd.oci.spec.model.Process.class);
    }

    /**
     * The document of {@code update --resources}: a config's {@code linux.resources}
     * object on its own, checked against that part of the config schema. {@code file}
     * only names the document in messages (stdin has no file).
     */
    public io.jsyd.oci.spec.model.LinuxResources readResources(Path file, byte[] bytes) throws InvalidSpecException {
        if (bytes.length > MAX_BYTES) {
            throw problem(file, "$", "cannot read: larger than " + (MAX_BYTES >> 20) + " MiB");
        }
        JsonNode tree = parseTree(file, bytes);
        List<SpecProblem> problems = problems(resourcesSchema.get(), file, tree);
        if (!problems.isEmpty()) {
            throw new InvalidSpecException(problems);
        }
        return bind(file, tree, io.jsyd.oci.spec.model.LinuxResources.class);
    }

    public io.jsyd.oci.spec.model.LinuxResources readResources(Path file) throws InvalidSpecException {
        return readResources(file, readBytes(file));
    }

    /** Stage 1 only: what the config schema says about the tree, in document order. */
    public List<SpecProblem> schemaProblems(Path file, JsonNode tree) {
        return problems(configSchema.get(), file, tree);
    }

    /**
     * The document as a JSON object, with no schema and no binding: the cheap path for
     * commands that need a field or two. Fails on anything that is not a readable
     * JSON object.
     */
    public JsonNode readTree(Path file) throws InvalidSpecException {
        return parseTree(file, readBytes(file));
    }

    private static JsonNode parseTree(Path file, byte[] bytes) throws InvalidSpecException {
        if (isBlank(bytes)) {
            throw problem(file, "$", "empty file: expected a JSON object");
        }
        JsonNode tree;
        JsonParser parser = null;
        try {
            parser = SpecJson.mapper().createParser(bytes);
            tree = SpecJson.mapper().readTree(parser);
        } catch (JacksonException e) {
            String path = parser == null || JsonSyntax.isTooDeep(e.getOriginalMessage())
                    ? "$"
                    : JsonPaths.format(JsonPaths.of(parser.streamReadContext()));
            throw problem(file, path, JsonSyntax.describe(e));
        } finally {
            if (parser != null) {
                parser.close();
            }
        }
        if (tree == null || tree.isMissingNode()) {
            throw problem(file, "$", "empty file: expected a JSON object");
        }
        if (!tree.isObject()) {
            throw problem(file, "$", "expected a JSON object, found " + SchemaMessages.found(tree));
        }
        return tree;
    }

    private List<SpecProblem> problems(Schema schema, Path file, JsonNode tree) {
        var errors = schema.validate(tree);
        return errors.isEmpty() ? List.of() : messages.get().translate(file, tree, errors);
    }

    private static byte[] readBytes(Path file) throws InvalidSpecException {
        if (Files.isDirectory(file)) {
            throw problem(file, "$", "cannot read: is a directory");
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                throw problem(file, "$", "cannot read: larger than " + (MAX_BYTES >> 20) + " MiB");
            }
            return bytes;
        } catch (NoSuchFileException e) {
            throw problem(file, "$", "cannot read: no such file or directory");
        } catch (AccessDeniedException e) {
            throw problem(file, "$", "cannot read: permission denied");
        } catch (FileSystemException e) {
            // The OS reason ("Not a directory", "Too many levels of symbolic links") is the useful part.
            String reason = e.getReason() == null ? "input/output error" : e.getReason();
            throw problem(file, "$", "cannot read: " + reason.toLowerCase(Locale.ROOT));
        } catch (IOException e) {
            String reason = e.getMessage() == null ? "input/output error" : e.getMessage();
            throw problem(file, "$", "cannot read: " + reason.toLowerCase(Locale.ROOT));
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * Schema-valid documents almost always bind; what is left are values the model's
     * Java types cannot hold (a uint64 above 2^63-1 where the model has a long).
     */
    private static <T> T bind(Path file, JsonNode tree, Class<T> type) throws InvalidSpecException {
        try {
            return SpecJson.mapper().treeToValue(tree, type);
        } catch (JacksonException e) {
            List<Object> path = new ArrayList<>();
            for (JacksonException.Reference r : e.getPath()) {
                if (r.getPropertyName() != null) {
                    path.add(r.getPropertyName());
                } else if (r.getIndex() >= 0) {
                    path.add(r.getIndex());
                }
            }
            JsonNode value = tree;
            for (Object element : path) {
                value = element instanceof Integer i ? value.path(i) : value.path((String) element);
            }
            String message;
            if (value.isIntegralNumber() && value.bigIntegerValue().bitLength() > 63) {
                message = value.bigIntegerValue() + " is out of range: this runtime supports "
                        + (value.bigIntegerValue().signum() < 0 ? "at least " + Long.MIN_VALUE
                                : "at most " + Long.MAX_VALUE) + " here";
            } else {
                message = SchemaMessages.show(value.isMissingNode() ? null : value)
                        + " cannot be stored in the runtime's model of this field";
            }
            throw problem(file, JsonPaths.format(path), message);
        }
    }

    private static InvalidSpecException problem(Path file, String path, String message) {
        return new InvalidSpecException(List.of(new SpecProblem(file, path, message)));
    }

    private static SchemaRegistry newRegistry() {
        // The schemas are draft-04 and refer to each other by relative file names, which
        // resolve against their classpath location. Anything else is refused outright, so
        // a stray absolute $ref can never make the runtime fetch from the network or read
        // the build machine's /usr/share.
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4, registry -> registry
                .schemaLoader(loader -> loader.block(iri -> !iri.toString().startsWith("classpath:"))));
    }

    private Schema compile(String resource) {
        String iri = SchemaDocuments.iri(SchemaDocuments.SPEC_SCHEMAS, resource);
        Schema schema = registry.get().getSchema(SchemaLocation.of(iri));
        // Compile every keyword now rather than on first validation, so the cost is
        // paid once per instance and a broken schema fails here, not mid-request.
        schema.initializeValidators();
        return schema;
    }
}
