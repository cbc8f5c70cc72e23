document.getElementById("hello").textContent = "hello";
