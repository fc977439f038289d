package io.jsyd.oci.cli;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The two formats of runc's {@code --log-format}, spelled as runc spells them. */
public enum LogFormat {
    TEXT, JSON;

    /** Accepts exactly "text" or "json", as runc does. */
    static final class Converter implements ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            return switch (value) {
                case "text" -> TEXT;
                case "json" -> JSON;
                default -> throw new TypeConversionException("expected 'text' or 'json', got '" + value + "'");
            };
        }
    }
}
