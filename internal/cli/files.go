package cli

// embudo files: uploads and downloads through the presigned URLs the API
// gives.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

func filesResource() resource {
	return resource{name: "files", aliases: []string{"file"}, summary: "documents attached to contacts and opportunities",
		verbs: []verb{
			{name: "upload", args: "--contact|--opportunity ID PATH", summary: "upload a file (up to 25 MiB)", setup: filesUpload},
			{name: "download", args: "ID [-o PATH|-]", summary: "download a file (default: its name, in this folder)", setup: filesDownload},
			{name: "list", args: "--contact|--opportunity ID", summary: "list the files of a contact or an opportunity", setup: filesList},
			{name: "delete", args: "ID", summary: "delete a file", setup: deleteVerb("/v1/files", "file", "")},
		}}
}

func filesUpload(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	parent := parentFlags(fs, "contact", "opportunity")
	name := fs.String("name", "", "the file's name in Embudo (default: the name of PATH)")
	ctype := fs.String("content-type", "", "media type (default: from the extension)")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 1, "the PATH of the file"); err != nil {
			return err
		}
		path, err := parent.path()
		if err != nil {
			return err
		}
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return err
		}
		if st.IsDir() {
			return fmt.Errorf("%s is a folder", args[0])
		}
		if *name == "" {
			*name = filepath.Base(args[0])
		}
		if *ctype == "" {
			*ctype = mime.TypeByExtension(strings.ToLower(filepath.Ext(*name)))
		}
		if *ctype == "" {
			*ctype = "application/octet-stream"
		}
		res, err := x.do(ctx, http.MethodPost, path+"/files", nil, map[string]any{"name": *name, "contentType": *ctype, "size": st.Size()}, nil)
		if err != nil {
			return err
		}
		up, err := decode(res.Body)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, x.absURL(up.s("uploadUrl")), f)
		if err != nil {
			return err
		}
		req.ContentLength = st.Size()
		for k, v := range up.o("uploadHeaders") {
			req.Header.Set(k, fmt.Sprint(v))
		}
		if err := transfer(req, nil); err != nil {
			return fmt.Errorf("uploading %s: %w", args[0], err)
		}
		done, err := x.do(ctx, http.MethodPost, "/v1/files/"+pathID(up.s("id"))+"/complete", nil, nil, nil)
		if err != nil {
			return err
		}
		if x.json {
			return x.printJSON(done.Body)
		}
		fmt.Fprintf(x.stdout, "Uploaded %s (%d bytes) as file %s.\n", *name, st.Size(), up.s("id"))
		return nil
	}
}

// absURL makes a URL the API gave relative to itself absolute.
func (x *session) absURL(u string) string {
	if strings.HasPrefix(u, "/") {
		if api, err := x.client(); err == nil {
			return api.BaseURL + u
		}
	}
	return u
}

// transfer sends a request to a presigned URL (no API token: the URL is
// the credential) and copies the answer's body to w.
func transfer(req *http.Request, w io.Writer) error {
	res, err := (&http.Client{Timeout: 10 * time.Minute}).Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		b, _ := io.ReadAll(io.LimitReader(res.Body, 512))
		return fmt.Errorf("%s: %s", res.Status, strings.TrimSpace(string(b)))
	}
	if w == nil {
		_, err = io.Copy(io.Discard, res.Body)
		return err
	}
	_, err = io.Copy(w, res.Body)
	return err
}

func filesDownload(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	out := fs.String("o", "", "write to this `path` (\"-\": standard output; a folder: the file's name in it)")
	force := fs.Bool("force", false, "overwrite a file that exists")
	return func(ctx context.Context, args []string) error {
		if err := wantArgs(args, 1, "the file's ID"); err != nil {
			return err
		}
		res, meta, err := x.get(ctx, "/v1/files/"+pathID(args[0]))
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, x.absURL(meta.s("downloadUrl")), nil)
		if err != nil {
			return err
		}
		if *out == "-" {
			return transfer(req, x.stdout)
		}
		dest := *out
		name := filepath.Base(filepath.Clean("/" + meta.s("name")))
		if name == "/" || name == "." {
			name = meta.s("id")
		}
		if dest == "" {
			dest = name
		} else if st, err := os.Stat(dest); err == nil && st.IsDir() {
			dest = filepath.Join(dest, name)
		}
		flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
		if *force {
			flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		}
		f, err := os.OpenFile(dest, flags, 0o644)
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s exists: add --force to overwrite it, or -o another path", dest)
		}
		if err != nil {
			return err
		}
		if err := transfer(req, f); err != nil {
			f.Close()
			os.Remove(dest)
			return fmt.Errorf("downloading %s: %w", meta.s("name"), err)
		}
		if err := f.Close(); err != nil {
			return err
		}
		if x.json {
			return x.printJSONParts(part{"file", res.Body}, part{"path", mustJSON(dest)})
		}
		fmt.Fprintf(x.stdout, "Saved %s (%s bytes) to %s.\n", meta.s("name"), meta.s("size"), dest)
		return nil
	}
}

func filesList(x *session, fs *flag.FlagSet) func(context.Context, []string) error {
	parent := parentFlags(fs, "contact", "opportunity")
	lo := listFlags(fs)
	return func(ctx context.Context, args []string) error {
		path, err := parent.noArgsPath(args)
		if err != nil {
			return err
		}
		return x.listShow(ctx, path+"/files", nil, lo, "No files.", func(items []obj) error {
			t := newTable(x.stdout, "ID", "NAME", "TYPE", "SIZE", "STATUS", "BY", "UPLOADED")
			for _, f := range items {
				t.row(f.s("id"), cut(f.s("name"), 50), f.s("contentType"), byteSize(f.i("size")), f.s("status"),
					x.nameOf(ctx, "users", f.s("uploadedBy")), localTime(f.s("createdAt")))
			}
			return t.flush()
		})
	}
}
