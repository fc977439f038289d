package io.jsyd.runtime.policy;

/**
 * One piece of policy text and where it came from: {@code source} is what error
 * messages and decision logs name (a file path, or e.g. an annotation key with the
 * config file it is in).
 */
public record PolicyText(String source, String text, IncludeScope includes) {
    public PolicyText {
        if (source == null || source.isEmpty()) {
            throw new IllegalArgumentException("policy text needs a source name");
        }
    }
}
