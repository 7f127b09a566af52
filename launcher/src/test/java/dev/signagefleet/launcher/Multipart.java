package dev.signagefleet.launcher;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/** A multipart/form-data body with one file, as a browser's upload form sends it. */
final class Multipart {

    final String boundary = "----signage" + UUID.randomUUID().toString().replace("-", "");
    final byte[] body;

    Multipart(String field, String filename, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename + "\"\r\n"
                + "Content-Type: text/csv\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        this.body = out.toByteArray();
    }

    String contentType() {
        return "multipart/form-data; boundary=" + boundary;
    }
}
