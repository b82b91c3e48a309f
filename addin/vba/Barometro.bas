Attribute VB_Name = "Barometro"
' Barometro: the three buttons of the performance office's workbook.
' One parameterless Sub per button; each calls the Python library through
' xlwings' RunPython. The Python module is named explicitly, never derived
' from the workbook's file name, so renaming the file keeps the buttons working.
Option Explicit

Public Sub Ricalcola()
    RunPython "import barometro.addin.macros as m; m.ricalcola()"
End Sub

Public Sub Valida()
    RunPython "import barometro.addin.macros as m; m.valida()"
End Sub

Public Sub Consolida()
    RunPython "import barometro.addin.macros as m; m.consolida()"
End Sub
