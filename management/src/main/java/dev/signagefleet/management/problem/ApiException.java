package dev.signagefleet.management.problem;

import dev.signagefleet.common.SignageException;
import java.util.LinkedHashMap;
import java.util.Map;

/** A request that cannot be served; becomes an RFC 9457 problem response. */
public class ApiException extends SignageException {

    private final int status;
    private final String slug;
    private final String title;
    private final Map<String, Object> extensions = new LinkedHashMap<>();

    public ApiException(int status, String slug, String title, String detail) {
        super(detail);
        this.status = status;
        this.slug = slug;
        this.title = title;
    }

    public static ApiException badRequest(String parameter, String detail) {
        return new ApiException(400, "invalid-parameter", "Invalid request parameter", detail).with("parameter", parameter);
    }

    public static ApiException notFound(String what, String id) {
        return new ApiException(404, "not-found", what + " not found", what + " '" + id + "' does not exist");
    }

    public ApiException with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    public Problem toProblem(String instance) {
        Problem problem = new Problem(slug, title, status, getMessage(), instance);
        extensions.forEach(problem::with);
        return problem;
    }

    public int status() {
        return status;
    }
}
