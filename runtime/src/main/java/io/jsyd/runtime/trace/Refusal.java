package io.jsyd.runtime.trace;

import io.jsyd.runtime.policy.Action;
import io.jsyd.runtime.policy.TraceCategory;

/**
 * A check that did not simply allow: the category, the policy's action (WARN lets
 * the call through with a log line), the errno a refused call returns, why, and
 * the policy line that decided.
 */
public record Refusal(TraceCategory category, Action action, int errno, String reason, String rule) {
}
