package dev.signagefleet.aws.stub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.signagefleet.common.json.Json;
import dev.signagefleet.embedded.broker.LocalPki;
import dev.signagefleet.testing.FreePorts;
import dev.signagefleet.testing.TempDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small local stand-in for the AWS IoT control plane (REST-JSON, as the SDK speaks it): it records
 * every request and keeps state (policies and versions, policy targets, thing groups, topic rules,
 * things, certificates), so a second {@code setup} sees what the first made. Answers are shaped as
 * AWS's: JSON bodies with AWS's member names, errors as {@code x-amzn-ErrorType} with the status AWS uses.
 * Certificates are real (issued by a local CA) so a bundle can be parsed and used.
 */
public final class IotControlPlaneStub implements AutoCloseable {

    public static final String ACCOUNT = "000000000000";
    public static final String DATA_ENDPOINT = "a1b2c3d4e5f6g7-ats.iot.ap-northeast-1.amazonaws.com";

    /** One request as the stub saw it. */
    public record Request(String method, String path, Map<String, String> query, Map<String, String> headers, JsonNode body) {
        public String operation() {
            return method + " " + path;
        }
    }

    /** A policy version. */
    public record Version(String id, String document, long created) {
    }

    public final Map<String, List<Version>> policies = new LinkedHashMap<>();
    public final Map<String, String> defaultVersions = new LinkedHashMap<>();
    public final Map<String, Set<String>> policyTargets = new LinkedHashMap<>();
    public final Map<String, ObjectNode> thingGroups = new LinkedHashMap<>();
    public final Map<String, ObjectNode> rules = new LinkedHashMap<>();
    public final Map<String, ObjectNode> things = new LinkedHashMap<>();
    public final Map<String, Set<String>> thingPrincipals = new LinkedHashMap<>();
    public final Map<String, Set<String>> thingGroupMembers = new LinkedHashMap<>();
    /** certificate id → status (ACTIVE, INACTIVE). */
    public final Map<String, String> certificates = new LinkedHashMap<>();

    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final Path pkiDir;
    private final LocalPki pki;
    private final String region;
    private long clock = 1_700_000_000L;

    public IotControlPlaneStub(String region) {
        this.region = region;
        try {
            pkiDir = Files.createTempDirectory("iot-stub-pki-");
            pki = LocalPki.openOrCreate(pkiDir.resolve("ca"));
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", FreePorts.next()), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public List<Request> requests() {
        return List.copyOf(requests);
    }

    /** Operations that change state (anything but GET and the list calls that AWS makes POST: ListTargetsForPolicy, ListAttachedPolicies). */
    public List<Request> changes() {
        return requests.stream().filter(r -> !r.method().equals("GET") && !r.path().startsWith("/policy-targets/")
                && !r.path().startsWith("/attached-policies/")).toList();
    }

    public void clearRequests() {
        requests.clear();
    }

    private String arn(String kind, String name) {
        return "arn:aws:iot:" + region + ":" + ACCOUNT + ":" + kind + "/" + name;
    }

    private synchronized void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String path = URLDecoder.decode(exchange.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            Map<String, String> headers = new LinkedHashMap<>();
            exchange.getRequestHeaders().forEach((k, v) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), v.get(0)));
            byte[] raw = exchange.getRequestBody().readAllBytes();
            JsonNode body = raw.length == 0 ? Json.mapper().createObjectNode() : Json.mapper().readTree(raw);
            Request request = new Request(method, path, query, headers, body);
            requests.add(request);
            Answer answer;
            try {
                answer = route(request);
            } catch (AwsError e) {
                answer = new Answer(e.status, Json.mapper().createObjectNode().put("message", e.getMessage()), e.type);
            }
            byte[] out = answer.body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
            if (answer.errorType != null) {
                exchange.getResponseHeaders().set("x-amzn-ErrorType", answer.errorType);
            }
            exchange.sendResponseHeaders(answer.status, out.length);
            exchange.getResponseBody().write(out);
        }
    }

    private record Answer(int status, JsonNode body, String errorType) {
        static Answer ok(JsonNode body) {
            return new Answer(200, body, null);
        }
    }

    private static final class AwsError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String type;

        AwsError(int status, String type, String message) {
            super(message);
            this.status = status;
            this.type = type;
        }

        static AwsError notFound(String what) {
            return new AwsError(404, "ResourceNotFoundException", what + " does not exist");
        }

        static AwsError exists(String what) {
            return new AwsError(409, "ResourceAlreadyExistsException", what + " already exists");
        }
    }

    private Answer route(Request r) {
        Matcher m;
        String p = r.path();
        String method = r.method();
        if ((m = match("/policies/([^/]+)", p)) != null) {
            return policy(method, m.group(1), r);
        }
        if ((m = match("/policies/([^/]+)/version", p)) != null) {
            return policyVersions(method, m.group(1), r);
        }
        if ((m = match("/policies/([^/]+)/version/([^/]+)", p)) != null && method.equals("DELETE")) {
            String name = m.group(1);
            String id = m.group(2);
            if (id.equals(defaultVersions.get(name))) {
                throw new AwsError(409, "DeleteConflictException", "cannot delete the default version " + id + " of " + name);
            }
            versions(name).removeIf(v -> v.id().equals(id));
            return Answer.ok(obj());
        }
        if ((m = match("/policy-targets/([^/]+)", p)) != null && method.equals("POST")) {
            ArrayNode targets = obj().putArray("targets");
            versions(m.group(1));
            policyTargets.getOrDefault(m.group(1), Set.of()).forEach(targets::add);
            ObjectNode answer = obj();
            answer.set("targets", targets);
            return Answer.ok(answer);
        }
        if ((m = match("/attached-policies/(.+)", p)) != null && method.equals("POST")) {
            String target = m.group(1);
            ObjectNode answer = obj();
            ArrayNode list = answer.putArray("policies");
            policyTargets.forEach((name, targets) -> {
                if (targets.contains(target)) {
                    list.addObject().put("policyName", name).put("policyArn", arn("policy", name));
                }
            });
            return Answer.ok(answer);
        }
        if ((m = match("/target-policies/([^/]+)", p)) != null) {
            String name = m.group(1);
            versions(name);
            String target = r.body().path("target").asText();
            if (method.equals("PUT")) {
                policyTargets.computeIfAbsent(name, k -> new LinkedHashSet<>()).add(target);
            } else {
                policyTargets.getOrDefault(name, new LinkedHashSet<>()).remove(target);
            }
            return Answer.ok(obj());
        }
        if (p.equals("/thing-groups") && method.equals("GET")) {
            String prefix = r.query().getOrDefault("namePrefixFilter", "");
            ObjectNode answer = obj();
            ArrayNode groups = answer.putArray("thingGroups");
            thingGroups.keySet().stream().filter(n -> n.startsWith(prefix))
                    .forEach(n -> groups.addObject().put("groupName", n).put("groupArn", arn("thinggroup", n)));
            return Answer.ok(answer);
        }
        if (p.equals("/thing-groups/addThingToThingGroup") && method.equals("PUT")) {
            String group = r.body().path("thingGroupName").asText();
            String thing = r.body().path("thingName").asText();
            if (!thingGroups.containsKey(group)) {
                throw AwsError.notFound("thing group " + group);
            }
            if (!things.containsKey(thing)) {
                throw AwsError.notFound("thing " + thing);
            }
            thingGroupMembers.computeIfAbsent(group, k -> new LinkedHashSet<>()).add(thing);
            return Answer.ok(obj());
        }
        if ((m = match("/thing-groups/([^/]+)", p)) != null) {
            return thingGroup(method, m.group(1), r);
        }
        if (p.equals("/rules") && method.equals("GET")) {
            ObjectNode answer = obj();
            ArrayNode list = answer.putArray("rules");
            rules.forEach((name, rule) -> list.addObject().put("ruleName", name).put("ruleArn", arn("rule", name))
                    .put("ruleDisabled", rule.path("ruleDisabled").asBoolean()));
            return Answer.ok(answer);
        }
        if ((m = match("/rules/([^/]+)", p)) != null) {
            return rule(method, m.group(1), r);
        }
        if (p.equals("/things") && method.equals("GET")) {
            String attribute = r.query().get("attributeName");
            String value = r.query().get("attributeValue");
            ObjectNode answer = obj();
            ArrayNode list = answer.putArray("things");
            things.forEach((name, thing) -> {
                if (attribute == null || value.equals(thing.path("attributes").path(attribute).asText(null))) {
                    list.add(thing.deepCopy());
                }
            });
            return Answer.ok(answer);
        }
        if ((m = match("/things/([^/]+)/principals", p)) != null) {
            return thingPrincipals(method, m.group(1), r);
        }
        if ((m = match("/things/([^/]+)", p)) != null) {
            return thing(method, m.group(1), r);
        }
        if (p.equals("/keys-and-certificate") && method.equals("POST")) {
            return keysAndCertificate(r);
        }
        if ((m = match("/certificates/([^/]+)", p)) != null) {
            return certificate(method, m.group(1), r);
        }
        if (p.equals("/endpoint") && method.equals("GET")) {
            if (!"iot:Data-ATS".equals(r.query().get("endpointType"))) {
                throw new AwsError(400, "InvalidRequestException", "this stub answers only endpointType=iot:Data-ATS");
            }
            return Answer.ok(obj().put("endpointAddress", DATA_ENDPOINT));
        }
        throw new AwsError(400, "InvalidRequestException", "the stub does not know " + r.operation());
    }

    private Answer policy(String method, String name, Request r) {
        switch (method) {
            case "GET" -> {
                Version current = versions(name).stream().filter(v -> v.id().equals(defaultVersions.get(name))).findFirst().orElseThrow();
                return Answer.ok(obj().put("policyName", name).put("policyArn", arn("policy", name))
                        .put("policyDocument", current.document()).put("defaultVersionId", current.id()));
            }
            case "POST" -> {
                if (policies.containsKey(name)) {
                    throw AwsError.exists("policy " + name);
                }
                policies.put(name, new ArrayList<>(List.of(new Version("1", r.body().path("policyDocument").asText(), clock++))));
                defaultVersions.put(name, "1");
                return Answer.ok(obj().put("policyName", name).put("policyArn", arn("policy", name))
                        .put("policyDocument", r.body().path("policyDocument").asText()).put("policyVersionId", "1"));
            }
            case "DELETE" -> {
                versions(name);
                if (!policyTargets.getOrDefault(name, Set.of()).isEmpty()) {
                    throw new AwsError(409, "DeleteConflictException", "policy " + name + " is still attached");
                }
                if (versions(name).size() > 1) {
                    throw new AwsError(409, "DeleteConflictException", "policy " + name + " has versions besides the default");
                }
                policies.remove(name);
                defaultVersions.remove(name);
                policyTargets.remove(name);
                return Answer.ok(obj());
            }
            default -> throw new AwsError(405, "MethodNotAllowedException", method);
        }
    }

    private Answer policyVersions(String method, String name, Request r) {
        List<Version> versions = versions(name);
        if (method.equals("GET")) {
            ObjectNode answer = obj();
            ArrayNode list = answer.putArray("policyVersions");
            versions.forEach(v -> list.addObject().put("versionId", v.id())
                    .put("isDefaultVersion", v.id().equals(defaultVersions.get(name))).put("createDate", v.created()));
            return Answer.ok(answer);
        }
        if (versions.size() >= 5) {
            throw new AwsError(409, "VersionsLimitExceededException", "policy " + name + " has 5 versions already");
        }
        String id = String.valueOf(versions.stream().mapToLong(v -> Long.parseLong(v.id())).max().orElse(0) + 1);
        versions.add(new Version(id, r.body().path("policyDocument").asText(), clock++));
        if ("true".equals(r.query().get("setAsDefault"))) {
            defaultVersions.put(name, id);
        }
        return Answer.ok(obj().put("policyArn", arn("policy", name)).put("policyVersionId", id)
                .put("policyDocument", r.body().path("policyDocument").asText()).put("isDefaultVersion", id.equals(defaultVersions.get(name))));
    }

    private List<Version> versions(String name) {
        List<Version> versions = policies.get(name);
        if (versions == null) {
            throw AwsError.notFound("policy " + name);
        }
        return versions;
    }

    private Answer thingGroup(String method, String name, Request r) {
        switch (method) {
            case "GET" -> {
                ObjectNode group = thingGroups.get(name);
                if (group == null) {
                    throw AwsError.notFound("thing group " + name);
                }
                return Answer.ok(group.deepCopy());
            }
            case "POST" -> {
                if (thingGroups.containsKey(name)) {
                    throw AwsError.exists("thing group " + name);
                }
                ObjectNode group = obj().put("thingGroupName", name).put("thingGroupArn", arn("thinggroup", name))
                        .put("thingGroupId", UUID.randomUUID().toString()).put("version", 1);
                group.set("thingGroupProperties", r.body().path("thingGroupProperties").deepCopy());
                thingGroups.put(name, group);
                return Answer.ok(obj().put("thingGroupName", name).put("thingGroupArn", arn("thinggroup", name))
                        .put("thingGroupId", group.get("thingGroupId").asText()));
            }
            case "DELETE" -> {
                thingGroups.remove(name); // AWS answers 200 for a group that is not there
                thingGroupMembers.remove(name);
                return Answer.ok(obj());
            }
            default -> throw new AwsError(405, "MethodNotAllowedException", method);
        }
    }

    private Answer rule(String method, String name, Request r) {
        switch (method) {
            case "GET" -> {
                ObjectNode rule = rules.get(name);
                if (rule == null) {
                    // what AWS answers for a rule that does not exist (the code lists rules first)
                    throw new AwsError(401, "UnauthorizedException", "not authorized to get topic rule " + name);
                }
                ObjectNode answer = obj().put("ruleArn", arn("rule", name));
                ObjectNode copy = rule.deepCopy();
                copy.put("ruleName", name);
                answer.set("rule", copy);
                return Answer.ok(answer);
            }
            case "POST", "PATCH" -> {
                if (method.equals("POST") && rules.containsKey(name)) {
                    throw AwsError.exists("topic rule " + name);
                }
                if (method.equals("PATCH") && !rules.containsKey(name)) {
                    throw AwsError.notFound("topic rule " + name);
                }
                rules.put(name, (ObjectNode) r.body().deepCopy());
                return Answer.ok(obj());
            }
            case "DELETE" -> {
                if (rules.remove(name) == null) {
                    throw AwsError.notFound("topic rule " + name);
                }
                return Answer.ok(obj());
            }
            default -> throw new AwsError(405, "MethodNotAllowedException", method);
        }
    }

    private Answer thing(String method, String name, Request r) {
        switch (method) {
            case "GET" -> {
                ObjectNode thing = things.get(name);
                if (thing == null) {
                    throw AwsError.notFound("thing " + name);
                }
                return Answer.ok(thing.deepCopy().put("defaultClientId", name));
            }
            case "POST" -> {
                if (things.containsKey(name)) {
                    throw AwsError.exists("thing " + name);
                }
                ObjectNode thing = obj().put("thingName", name).put("thingArn", arn("thing", name)).put("version", 1);
                thing.set("attributes", r.body().path("attributePayload").path("attributes").deepCopy());
                things.put(name, thing);
                return Answer.ok(obj().put("thingName", name).put("thingArn", arn("thing", name))
                        .put("thingId", UUID.randomUUID().toString()));
            }
            case "DELETE" -> {
                if (!thingPrincipals.getOrDefault(name, Set.of()).isEmpty()) {
                    throw new AwsError(409, "InvalidRequestException", "thing " + name + " still has principals attached");
                }
                things.remove(name);
                thingGroupMembers.values().forEach(members -> members.remove(name));
                return Answer.ok(obj());
            }
            default -> throw new AwsError(405, "MethodNotAllowedException", method);
        }
    }

    private Answer thingPrincipals(String method, String name, Request r) {
        if (!things.containsKey(name)) {
            throw AwsError.notFound("thing " + name);
        }
        Set<String> principals = thingPrincipals.computeIfAbsent(name, k -> new LinkedHashSet<>());
        switch (method) {
            case "GET" -> {
                ObjectNode answer = obj();
                ArrayNode list = answer.putArray("principals");
                principals.forEach(list::add);
                return Answer.ok(answer);
            }
            case "PUT" -> {
                principals.add(r.headers().get("x-amzn-principal"));
                return Answer.ok(obj());
            }
            case "DELETE" -> {
                principals.remove(r.headers().get("x-amzn-principal"));
                return Answer.ok(obj());
            }
            default -> throw new AwsError(405, "MethodNotAllowedException", method);
        }
    }

    private Answer keysAndCertificate(Request r) {
        String id = UUID.randomUUID().toString().replace("-", "") + UUID.randomUUID().toString().replace("-", "");
        try {
            Path out = Files.createDirectories(pkiDir.resolve(id));
            LocalPki.DeviceFiles files = pki.issueDevice("aws-" + id.substring(0, 12), out);
            certificates.put(id, "true".equals(r.query().get("setAsActive")) ? "ACTIVE" : "INACTIVE");
            ObjectNode answer = obj().put("certificateArn", arn("cert", id)).put("certificateId", id)
                    .put("certificatePem", Files.readString(files.certificate()));
            answer.putObject("keyPair").put("PublicKey", "-----BEGIN PUBLIC KEY-----\n(stub)\n-----END PUBLIC KEY-----\n")
                    .put("PrivateKey", Files.readString(files.privateKey()));
            return Answer.ok(answer);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Answer certificate(String method, String id, Request r) {
        if (!certificates.containsKey(id)) {
            throw AwsError.notFound("certificate " + id);
        }
        String arn = arn("cert", id);
        switch (method) {
            case "PUT" -> {
                certificates.put(id, r.query().get("newStatus"));
                return Answer.ok(obj());
            }
            case "DELETE" -> {
                if (certificates.get(id).equals("ACTIVE")) {
                    throw new AwsError(409, "CertificateStateException", "certificate " + id + " is active: deactivate it first");
                }
                boolean attached = thingPrincipals.values().stream().anyMatch(s -> s.contains(arn))
                        || policyTargets.values().stream().anyMatch(s -> s.contains(arn));
                if (attached) {
                    throw new AwsError(409, "DeleteConflictException", "certificate " + id + " is still attached");
                }
                certificates.remove(id);
                return Answer.ok(obj());
            }
            default -> throw new AwsError(405, "MethodNotAllowedException", method);
        }
    }

    private static Matcher match(String regex, String path) {
        Matcher m = Pattern.compile(regex).matcher(path);
        return m.matches() ? m : null;
    }

    private static ObjectNode obj() {
        return Json.mapper().createObjectNode();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                String[] kv = pair.split("=", 2);
                query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
            }
        }
        return query;
    }

    @Override
    public void close() {
        server.stop(0);
        TempDirs.deleteQuietly(pkiDir);
    }
}
