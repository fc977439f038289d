package io.jsyd.oci.image;

import io.jsyd.oci.ImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The parts of an image configuration (OCI config v1, or Docker's, which has
 * the same fields) that make a bundle: the platform, the process defaults and
 * the layers' diff_ids.
 */
public record ImageConfig(Platform platform, String osVersion, List<String> osFeatures, String author,
                          String created, List<String> entrypoint, List<String> cmd, List<String> env,
                          String workingDir, String user, String stopSignal, Map<String, String> labels,
                          List<String> exposedPorts, List<String> volumes, List<Digest> diffIds) {

    public ImageConfig {
        osFeatures = List.copyOf(osFeatures);
        entrypoint = List.copyOf(entrypoint);
        cmd = List.copyOf(cmd);
        env = List.copyOf(env);
        labels = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(labels));
        exposedPorts = List.copyOf(exposedPorts);
        volumes = List.copyOf(volumes);
        diffIds = List.copyOf(diffIds);
    }

    static ImageConfig parse(byte[] json, String document) throws ImageException {
        JsonNode root = ImageJson.parse(json, document);
        if (!root.isObject()) {
            throw new ImageException(document + ": an image configuration must be an object");
        }
        Platform platform = new Platform(ImageJson.string(root, "os", document),
                ImageJson.string(root, "architecture", document), ImageJson.string(root, "variant", document));
        JsonNode c = ImageJson.object(root, "config", document);
        String cfg = document + ": config";
        JsonNode rootfs = ImageJson.object(root, "rootfs", document);
        if (rootfs == null) {
            throw new ImageException(document + ": rootfs is missing");
        }
        String type = ImageJson.string(rootfs, "type", document + ": rootfs");
        if (!type.equals("layers")) {
            throw new ImageException(document + ": rootfs.type is \"" + type + "\", not \"layers\"");
        }
        List<Digest> diffIds = new ArrayList<>();
        int i = 0;
        for (String d : ImageJson.strings(rootfs, "diff_ids", document + ": rootfs")) {
            diffIds.add(Digest.parse(d, document + ": rootfs.diff_ids[" + i++ + "]"));
        }
        return new ImageConfig(platform, ImageJson.string(root, "os.version", document),
                ImageJson.strings(root, "os.features", document), ImageJson.string(root, "author", document),
                ImageJson.string(root, "created", document),
                c == null ? List.of() : ImageJson.strings(c, "Entrypoint", cfg),
                c == null ? List.of() : ImageJson.strings(c, "Cmd", cfg),
                c == null ? List.of() : ImageJson.strings(c, "Env", cfg),
                c == null ? "" : ImageJson.string(c, "WorkingDir", cfg),
                c == null ? "" : ImageJson.string(c, "User", cfg),
                c == null ? "" : ImageJson.string(c, "StopSignal", cfg),
                c == null ? Map.of() : ImageJson.stringMap(c, "Labels", cfg),
                c == null ? List.of() : ImageJson.keys(c, "ExposedPorts", cfg),
                c == null ? List.of() : ImageJson.keys(c, "Volumes", cfg), diffIds);
    }
}
