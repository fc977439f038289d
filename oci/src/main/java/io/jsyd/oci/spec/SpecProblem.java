package io.jsyd.oci.spec;

import java.nio.file.Path;

/**
 * One thing wrong with a spec document: the file, the JSON path in the form
 * {@code $.process.args[2]} ({@code $} for the document itself), and what was
 * expected. {@link #format()} is the line a user reads.
 */
public record SpecProblem(Path file, String jsonPath, String message) {
    public SpecProblem {
        if (jsonPath == null || !jsonPath.startsWith("$")) {
            throw new IllegalArgumentException("JSON path must start with $: " + jsonPath);
        }
    }

    public String format() {
        return file + ": " + jsonPath + ": " + message;
    }
}
