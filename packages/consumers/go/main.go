// A consumer that reads only OpenAPI 3.0: Go's kin-openapi (Debian's golang-github-getkin-kin-openapi-dev).
// It loads and validates the published openapi-3.0 document, validates create requests against it
// (a valid one passes, a wrong-typed one fails), then sends the valid one to the simulator and
// validates its answers (the create answer and the completed task) with openapi3filter.
//
//	go run main.go <openapi-3.0.json|yaml> <simulator base URL> <API key>
//
// Prints one JSON line with what was checked; exits non-zero on the first failure.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

type report struct {
	OpenAPI          string `json:"openapi"`
	Paths            int    `json:"paths"`
	Schemas          int    `json:"schemas"`
	CreateValid      bool   `json:"createValid"`
	WrongRejected    bool   `json:"wrongRejected"`
	CreateAnswer     bool   `json:"createAnswer"`
	CompletedAnswer  bool   `json:"completedAnswer"`
	CompletedStatus  string `json:"completedStatus"`
	UnknownKeyPassed bool   `json:"unknownKeyPassed"`
}

func fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 4 {
		fail("usage: main <openapi-3.0 file> <base URL> <API key>")
	}
	file, base, key := os.Args[1], strings.TrimRight(os.Args[2], "/"), os.Args[3]
	ctx := context.Background()

	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromFile(file)
	if err != nil {
		fail("load: %v", err)
	}
	if err := doc.Validate(ctx); err != nil {
		fail("validate document: %v", err)
	}
	out := report{OpenAPI: doc.OpenAPI, Paths: len(doc.Paths), Schemas: len(doc.Components.Schemas)}

	// Route requests to the simulator: the document's servers are GoAPI's hosts.
	doc.Servers = openapi3.Servers{{URL: base}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		fail("router: %v", err)
	}
	options := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, MultiError: true}

	check := func(req *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
		route, params, err := router.FindRoute(req)
		if err != nil {
			return nil, fmt.Errorf("find route %s %s: %w", req.Method, req.URL, err)
		}
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		input := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: options}
		return input, openapi3filter.ValidateRequest(ctx, input)
	}
	newRequest := func(method, path string, body []byte) *http.Request {
		var reader io.Reader
		if body != nil {
			reader = bytes.NewReader(body)
		}
		req, err := http.NewRequest(method, base+path, reader)
		if err != nil {
			fail("request: %v", err)
		}
		req.Header.Set("x-api-key", key)
		if body != nil {
			req.Header.Set("content-type", "application/json")
		}
		return req
	}
	send := func(input *openapi3filter.RequestValidationInput, body []byte) []byte {
		req := newRequest(input.Request.Method, input.Request.URL.Path, body)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			fail("send: %v", err)
		}
		defer res.Body.Close()
		answer, err := io.ReadAll(res.Body)
		if err != nil {
			fail("read answer: %v", err)
		}
		err = openapi3filter.ValidateResponse(ctx, &openapi3filter.ResponseValidationInput{
			RequestValidationInput: input,
			Status:                 res.StatusCode,
			Header:                 res.Header,
			Body:                   io.NopCloser(bytes.NewReader(answer)),
			Options:                options,
		})
		if err != nil {
			fail("answer of %s %s (HTTP %d) does not validate: %v\n%s", req.Method, req.URL.Path, res.StatusCode, err, answer)
		}
		if res.StatusCode != http.StatusOK {
			fail("%s %s answered HTTP %d: %s", req.Method, req.URL.Path, res.StatusCode, answer)
		}
		return answer
	}

	create := []byte(`{"model":"Qubico/flux1-dev","task_type":"txt2img","input":{"prompt":"a lighthouse at dusk","width":512,"height":512}}`)
	wrong := []byte(`{"model":"Qubico/flux1-dev","task_type":"txt2img","input":{"prompt":42}}`)
	unknown := []byte(`{"model":"Qubico/flux1-dev","task_type":"txt2img","input":{"prompt":"x","colour":"red"}}`)

	createInput, err := check(newRequest("POST", "/api/v1/task", create), create)
	if err != nil {
		fail("a valid create request does not validate: %v", err)
	}
	out.CreateValid = true
	if _, err := check(newRequest("POST", "/api/v1/task", wrong), wrong); err == nil {
		fail("a create request with a wrong-typed prompt validates")
	}
	out.WrongRejected = true
	if _, err := check(newRequest("POST", "/api/v1/task", unknown), unknown); err != nil {
		fail("a create request with an unknown input key is rejected: %v", err)
	}
	out.UnknownKeyPassed = true

	var created struct {
		Data struct {
			TaskID string `json:"task_id"`
		} `json:"data"`
	}
	if err := json.Unmarshal(send(createInput, create), &created); err != nil || created.Data.TaskID == "" {
		fail("create answer has no task id: %v", err)
	}
	out.CreateAnswer = true

	deadline := time.Now().Add(60 * time.Second)
	for {
		getInput, err := check(newRequest("GET", "/api/v1/task/"+created.Data.TaskID, nil), nil)
		if err != nil {
			fail("get request does not validate: %v", err)
		}
		var task struct {
			Data struct {
				Status string `json:"status"`
			} `json:"data"`
		}
		if err := json.Unmarshal(send(getInput, nil), &task); err != nil {
			fail("get answer: %v", err)
		}
		status := strings.ToLower(task.Data.Status)
		if status == "completed" || status == "failed" {
			out.CompletedStatus = status
			out.CompletedAnswer = status == "completed"
			break
		}
		if time.Now().After(deadline) {
			fail("task %s not finished after 60 s (status %s)", created.Data.TaskID, status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}
