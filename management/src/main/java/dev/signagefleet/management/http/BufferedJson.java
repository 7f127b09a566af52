package dev.signagefleet.management.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.signagefleet.common.json.Json;
import io.javalin.json.JavalinJackson;
import io.javalin.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Type;
import java.util.stream.Stream;

/**
 * Javalin's JSON with the house mapper, writing each answer into one byte array. JavalinJackson hands
 * every answer that is not a string to a second thread, which writes it through a 1 KB pipe that the
 * request thread reads: a 700 KB history page took hundreds of thread hand-offs (BENCHMARKS.md section 6).
 * API answers are bounded (pages), so one array per answer is fine.
 */
public final class BufferedJson implements JsonMapper {

    private final JavalinJackson jackson = new JavalinJackson(Json.mapper(), false);

    @Override
    public String toJsonString(Object obj, Type type) {
        return jackson.toJsonString(obj, type);
    }

    @Override
    public InputStream toJsonStream(Object obj, Type type) {
        try {
            return new ByteArrayInputStream(Json.mapper().writeValueAsBytes(obj));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("could not write the answer as JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public void writeToOutputStream(Stream<?> stream, OutputStream outputStream) {
        jackson.writeToOutputStream(stream, outputStream);
    }

    @Override
    public <T> T fromJsonString(String json, Type type) {
        return jackson.fromJsonString(json, type);
    }

    @Override
    public <T> T fromJsonStream(InputStream json, Type type) {
        return jackson.fromJsonStream(json, type);
    }
}
