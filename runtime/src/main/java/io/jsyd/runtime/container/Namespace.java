package io.jsyd.runtime.container;

import java.nio.file.Path;

/** A namespace of the container: a new one ({@code join} null) or one joined by path. */
public record Namespace(NamespaceKind kind, Path join, String origin) {
    public boolean isNew() {
        return join == null;
    }
}
